-- Studio runs in progress on this device. Device-local: never synced. A run
-- writes its row when it starts and removes it when it ends (done, failed or
-- cancelled by the user); a row left behind by a killed process is a run to
-- resume at the next start. Autopilot runs are not kept here: their jobs
-- resume themselves.
CREATE TABLE studio_runs (
    package_id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    skip_voice INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
