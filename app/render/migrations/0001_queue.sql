-- Rendering: the render queue, device-local and never synced (renders live
-- on this device). A package is in it from the moment a render is asked
-- until that render ends (done, failed, or cancelled by the user); a render
-- stopped by the app closing stays, so the next start resumes it.
CREATE TABLE render_queue (
    package_id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',  -- who asked: user or autopilot
    seq        INTEGER NOT NULL,          -- the order asked, first first
    queued_at  INTEGER NOT NULL           -- unix ms
);
