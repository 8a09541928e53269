-- Insights v2: every column of a YouTube Studio export and of YouTube
-- Analytics, per video and per day, and the state of the analytics link.
-- Device-local, never synced.

-- Latest analytics numbers of each video. Zero means not measured, except
-- subscribers and revenue, where NULL means not measured (zero is a value).
ALTER TABLE insights_videos ADD COLUMN impressions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE insights_videos ADD COLUMN ctr REAL NOT NULL DEFAULT 0;          -- percent
ALTER TABLE insights_videos ADD COLUMN watch_hours REAL NOT NULL DEFAULT 0;
ALTER TABLE insights_videos ADD COLUMN avg_view_sec REAL NOT NULL DEFAULT 0;
ALTER TABLE insights_videos ADD COLUMN avg_view_pct REAL NOT NULL DEFAULT 0; -- percent
ALTER TABLE insights_videos ADD COLUMN subscribers INTEGER;
ALTER TABLE insights_videos ADD COLUMN revenue REAL;                         -- USD

-- One row per video and day (YouTube's day, Pacific time) from YouTube
-- Analytics (views, watch time, subscribers, revenue) and the Reporting
-- API's reach reports (impressions, CTR). NULL means not fetched.
CREATE TABLE insights_video_days (
    channel_id    TEXT NOT NULL,
    video_id      TEXT NOT NULL,
    day           TEXT NOT NULL, -- YYYY-MM-DD
    views         INTEGER,
    watch_minutes REAL,
    avg_view_sec  REAL,
    avg_view_pct  REAL,
    subscribers   INTEGER,
    revenue       REAL,
    impressions   INTEGER,
    ctr           REAL,          -- percent
    PRIMARY KEY (channel_id, video_id, day)
) WITHOUT ROWID;
CREATE INDEX insights_video_days_day ON insights_video_days(channel_id, day);

-- A channel linked to YouTube Analytics with a Google sign-in.
CREATE TABLE insights_analytics (
    channel_id      TEXT PRIMARY KEY,
    account         TEXT NOT NULL,            -- the Google grant's account id (the grant is in the key store)
    youtube_id      TEXT NOT NULL DEFAULT '', -- UC… of the signed-in channel
    job_id          TEXT NOT NULL DEFAULT '', -- the Reporting API job for reach reports
    job_created_at  INTEGER NOT NULL DEFAULT 0,
    revenue         TEXT NOT NULL DEFAULT '', -- '' unknown, 'yes', 'no-scope', 'not-monetised'
    linked_at       INTEGER NOT NULL,
    last_sync       INTEGER NOT NULL DEFAULT 0, -- unix ms of the last complete sync
    last_attempt    INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    retry_at        INTEGER NOT NULL DEFAULT 0  -- unix ms before which a quota stop waits
);

-- Per video, the last day whose daily numbers are stored: a sync asks
-- only for the days after it.
CREATE TABLE insights_analytics_videos (
    channel_id TEXT NOT NULL,
    video_id   TEXT NOT NULL,
    through    TEXT NOT NULL, -- YYYY-MM-DD
    PRIMARY KEY (channel_id, video_id)
) WITHOUT ROWID;

-- Reach reports already imported, so each is downloaded once.
CREATE TABLE insights_reports (
    channel_id  TEXT NOT NULL,
    report_id   TEXT NOT NULL,
    start_day   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    PRIMARY KEY (channel_id, report_id)
) WITHOUT ROWID;

-- Requests spent per API and Pacific-time day.
CREATE TABLE insights_api_quota (
    api   TEXT NOT NULL,
    day   TEXT NOT NULL,
    units INTEGER NOT NULL,
    PRIMARY KEY (api, day)
) WITHOUT ROWID;

-- Per-channel insights choices.
CREATE TABLE insights_channel_settings (
    channel_id     TEXT PRIMARY KEY,
    niche_category TEXT NOT NULL DEFAULT ''
);
