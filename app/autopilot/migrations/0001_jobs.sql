-- Autopilot jobs and settings. Device-local: never synced. A job names the
-- package it fills, created in the same transaction, so a job resumed after
-- a crash continues that package instead of making another.
CREATE TABLE studio_jobs (
    id          TEXT PRIMARY KEY,
    channel_id  TEXT NOT NULL,
    package_id  TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'deferred', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    not_before  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX studio_jobs_open ON studio_jobs(status, channel_id, created_at);

CREATE TABLE studio_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
