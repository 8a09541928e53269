-- The outbox depth, kept by triggers, so the header, the syncer's status and
-- the monitor read one row instead of counting the outbox after every write.
CREATE TABLE outbox_count (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO outbox_count (id, n) SELECT 1, COUNT(*) FROM outbox;

CREATE TRIGGER outbox_count_insert AFTER INSERT ON outbox
BEGIN
    UPDATE outbox_count SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER outbox_count_delete AFTER DELETE ON outbox
BEGIN
    UPDATE outbox_count SET n = n - 1 WHERE id = 1;
END;
