-- Device-local: never synced.

-- One provider health check: when, and whether it answered.
CREATE TABLE monitor_checks (
	provider TEXT NOT NULL,
	at INTEGER NOT NULL, -- unix ms
	ok INTEGER NOT NULL, -- 1 answered, 0 failed
	latency_ms REAL NOT NULL DEFAULT 0,
	PRIMARY KEY (provider, at)
) WITHOUT ROWID;
CREATE INDEX monitor_checks_at ON monitor_checks(at);

-- The user's alert thresholds. A rule without a row keeps its default.
CREATE TABLE monitor_rules (
	id TEXT PRIMARY KEY,
	enabled INTEGER NOT NULL,
	threshold REAL NOT NULL,
	updated_at INTEGER NOT NULL
);
