-- Device-local provider cooldowns (never synced): a provider that answered
-- 429 or 503 with a time to wait (Retry-After, x-ratelimit-reset-*,
-- anthropic-ratelimit-*-reset) gets no interactive request until then, and
-- a restart of the app keeps that.
CREATE TABLE provider_cooldown (
    provider TEXT PRIMARY KEY,
    until_ms INTEGER NOT NULL, -- Unix milliseconds
    status   INTEGER NOT NULL, -- the HTTP status that asked for it
    reason   TEXT NOT NULL
);
