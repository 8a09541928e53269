-- Publishing: device-local tables, never synced. The media file lives on
-- this device and the resumable session URI is good only for it; what syncs
-- is the published state, which the app writes to the package through the
-- outbox. channel_id and package_id join the core synced tables.

-- Upload jobs. session_uri and offset_bytes are saved after every chunk so
-- a new process resumes from the last confirmed byte.
CREATE TABLE publish_jobs (
    id                 TEXT PRIMARY KEY,
    package_id         TEXT NOT NULL,
    channel_id         TEXT NOT NULL,
    account            TEXT NOT NULL DEFAULT '',  -- Google grant id (the grant itself is in the keyring)
    youtube_channel_id TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL,
    by_hand            INTEGER NOT NULL DEFAULT 0,
    video_path         TEXT NOT NULL DEFAULT '',
    video_type         TEXT NOT NULL DEFAULT '',
    video_size         INTEGER NOT NULL DEFAULT 0,
    meta               TEXT NOT NULL,             -- Metadata as JSON
    thumbnail_path     TEXT NOT NULL DEFAULT '',
    captions_path      TEXT NOT NULL DEFAULT '',
    upload_captions    INTEGER NOT NULL DEFAULT 0,
    session_uri        TEXT NOT NULL DEFAULT '',
    offset_bytes       INTEGER NOT NULL DEFAULT 0,
    session_restarts   INTEGER NOT NULL DEFAULT 0,
    video_id           TEXT NOT NULL DEFAULT '',
    thumbnail_done     INTEGER NOT NULL DEFAULT 0,
    caption_id         TEXT NOT NULL DEFAULT '',
    run_after          INTEGER NOT NULL DEFAULT 0, -- unix ms; 0 means now
    attempts           INTEGER NOT NULL DEFAULT 0,
    note               TEXT NOT NULL DEFAULT '',
    published_at       INTEGER NOT NULL DEFAULT 0, -- when the video reached YouTube
    reported           INTEGER NOT NULL DEFAULT 0, -- 1 once OnPublished accepted it
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX publish_jobs_due ON publish_jobs(state, run_after);
CREATE INDEX publish_jobs_channel ON publish_jobs(channel_id, state);
CREATE INDEX publish_jobs_package ON publish_jobs(package_id);

-- Quota spent per Pacific-time day and bucket ("videos.insert" calls,
-- "units" for everything else).
CREATE TABLE publish_quota (
    day    TEXT NOT NULL, -- YYYY-MM-DD in America/Los_Angeles
    bucket TEXT NOT NULL,
    used   INTEGER NOT NULL,
    PRIMARY KEY (day, bucket)
);

-- Per channel: the YouTube channel it publishes to, through which Google
-- grant, and its publishing choices.
CREATE TABLE publish_channels (
    channel_id         TEXT PRIMARY KEY,
    youtube_channel_id TEXT NOT NULL DEFAULT '',
    youtube_title      TEXT NOT NULL DEFAULT '',
    account            TEXT NOT NULL DEFAULT '',
    auto_publish       INTEGER NOT NULL DEFAULT 0,
    confirmed_at       INTEGER NOT NULL DEFAULT 0, -- the user confirmed a first publish (unix ms)
    time_zone          TEXT NOT NULL DEFAULT '',
    hour               INTEGER NOT NULL DEFAULT -1, -- preferred local hour, -1 for the default
    minute             INTEGER NOT NULL DEFAULT 0,
    updated_at         INTEGER NOT NULL
);
