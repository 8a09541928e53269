-- Core schema: the synced entities, the outbox and device metadata.
-- Synced tables share id (UUIDv7), hlc, deleted, created_at and updated_at.
-- There are no foreign keys between synced tables: rows of different tables
-- arrive from other devices in any order, and deletes are tombstones.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE channels (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    niche       TEXT NOT NULL,
    language    TEXT NOT NULL,
    audience    TEXT NOT NULL DEFAULT '',
    format      TEXT NOT NULL,
    cadence     REAL NOT NULL,
    youtube_id  TEXT NOT NULL DEFAULT '',
    autopilot   INTEGER NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX channels_hlc ON channels(hlc);

CREATE TABLE packages (
    id          TEXT PRIMARY KEY,
    channel_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    topic       TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    content     TEXT NOT NULL DEFAULT '{}',
    hlc         TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX packages_channel ON packages(channel_id, deleted, status);
CREATE INDEX packages_hlc ON packages(hlc);

CREATE TABLE activity (
    id          TEXT PRIMARY KEY,
    channel_id  TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    hlc         TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX activity_created ON activity(created_at);
CREATE INDEX activity_hlc ON activity(hlc);

CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    entity      TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    payload     TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_row ON outbox(entity, row_id);
