-- Device-local response cache (never synced): the second tier under the
-- in-memory one. Values survive restarts and serve offline.
CREATE TABLE cache_entries (
    key        TEXT PRIMARY KEY,
    class      TEXT NOT NULL,
    value      BLOB NOT NULL,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL, -- unix ms
    expires_at INTEGER NOT NULL  -- unix ms
);
CREATE INDEX cache_entries_expires ON cache_entries(expires_at);
