-- Health checks are kept as per-day counts: availability needs nothing
-- finer, and a check every 30 s per provider would otherwise add half a
-- million rows a month.
DROP TABLE IF EXISTS monitor_checks;

CREATE TABLE monitor_check_days (
	provider TEXT NOT NULL,
	day INTEGER NOT NULL,     -- UTC days since 1970-01-01
	checks INTEGER NOT NULL,
	passed INTEGER NOT NULL,
	last_at INTEGER NOT NULL, -- unix ms of the newest check counted
	PRIMARY KEY (provider, day)
) WITHOUT ROWID;
