-- Many devices, one account.
--
-- channels.autopilot_host is the device (its id) that runs autopilot for the
-- channel; '' means none chosen yet. It syncs like every channel column.
--
-- devices holds one row per installation of the app signed in to the
-- account: its id (the device id in every clock value it makes), a name
-- people recognise, its kind (desktop or serve), the last time it was seen
-- (its heartbeat, unix ms) and its version. Each device writes only its own
-- row, through the outbox like any change.
ALTER TABLE channels ADD COLUMN autopilot_host TEXT NOT NULL DEFAULT '';

CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    last_seen   INTEGER NOT NULL DEFAULT 0,
    version     TEXT NOT NULL DEFAULT '',
    hlc         TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX devices_hlc ON devices(hlc);
