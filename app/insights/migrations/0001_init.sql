-- Insights: device-local tables, never synced. Channels live in the core
-- channels table; rows here join on its id (channel_id).

-- The latest numbers of each video.
CREATE TABLE insights_videos (
    channel_id   TEXT NOT NULL,
    video_id     TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('own', 'competitor', 'chart')),
    title        TEXT NOT NULL,
    published_at INTEGER NOT NULL, -- unix ms
    duration_sec INTEGER NOT NULL DEFAULT 0,
    views        INTEGER NOT NULL DEFAULT 0,
    likes        INTEGER NOT NULL DEFAULT 0,
    comments     INTEGER NOT NULL DEFAULT 0,
    source       TEXT NOT NULL,
    updated_at   INTEGER NOT NULL, -- unix ms
    PRIMARY KEY (channel_id, video_id)
);
CREATE INDEX insights_videos_kind ON insights_videos(kind, published_at);

-- Every time numbers arrive, one row per video: views over time.
CREATE TABLE insights_video_snapshots (
    channel_id TEXT NOT NULL,
    video_id   TEXT NOT NULL,
    taken_at   INTEGER NOT NULL, -- unix ms
    views      INTEGER NOT NULL,
    likes      INTEGER NOT NULL,
    comments   INTEGER NOT NULL,
    PRIMARY KEY (channel_id, video_id, taken_at)
);

CREATE TABLE insights_channel_snapshots (
    channel_id  TEXT NOT NULL,
    taken_at    INTEGER NOT NULL,
    subscribers INTEGER NOT NULL,
    views       INTEGER NOT NULL,
    videos      INTEGER NOT NULL,
    PRIMARY KEY (channel_id, taken_at)
);

-- Competitor channels the user follows, per own channel.
CREATE TABLE insights_competitors (
    id         TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,      -- the user's channel
    youtube_id TEXT NOT NULL,      -- UC…
    title      TEXT NOT NULL DEFAULT '',
    added_at   INTEGER NOT NULL,
    UNIQUE (channel_id, youtube_id)
);

-- Actual monthly earnings the user entered; they calibrate the channel's RPM.
CREATE TABLE insights_earnings (
    channel_id TEXT NOT NULL,
    month      TEXT NOT NULL, -- YYYY-MM
    amount     REAL NOT NULL, -- in the user's currency
    views      INTEGER NOT NULL, -- monetizable views that month (entered or derived)
    entered_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, month)
);

-- YouTube Data API units spent per Pacific-time day (the quota resets at
-- midnight Pacific).
CREATE TABLE insights_quota (
    day   TEXT PRIMARY KEY, -- YYYY-MM-DD in America/Los_Angeles
    units INTEGER NOT NULL
);

-- The last fetched most-popular chart per region and category, for offline use.
CREATE TABLE insights_charts (
    region     TEXT NOT NULL,
    category   TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (region, category)
);
