-- Device-local daily request counts per provider (never synced). A day is
-- a UTC calendar day, the boundary the providers' own daily quotas use.
CREATE TABLE provider_quota (
    provider TEXT NOT NULL,
    day      TEXT NOT NULL, -- YYYY-MM-DD, UTC
    used     INTEGER NOT NULL,
    PRIMARY KEY (provider, day)
);
