-- Device-local sync state: never synced.

-- Key/value settings and state of the syncer: the Supabase URL and anon key,
-- the signed-in user and email, the last successful sync.
CREATE TABLE sync_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Pull cursor per entity: the highest server_seq applied.
CREATE TABLE sync_cursors (
    entity      TEXT PRIMARY KEY,
    server_seq  INTEGER NOT NULL
);

-- Changes the server refused for good (row-level security, a constraint,
-- a bad request). One per row: a newer refused change replaces the older.
CREATE TABLE dead_letters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    entity      TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    op          TEXT NOT NULL,
    payload     TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    status      INTEGER NOT NULL,
    code        TEXT NOT NULL,
    error       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (entity, row_id)
);
