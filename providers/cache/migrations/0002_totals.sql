-- Running totals kept by triggers, so every writer of the table (more than
-- one Cache may share it) sees the exact size when enforcing the cap.
CREATE TABLE cache_totals (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    bytes   INTEGER NOT NULL,
    entries INTEGER NOT NULL
);
INSERT INTO cache_totals(id, bytes, entries) SELECT 1, COALESCE(SUM(size), 0), COUNT(*) FROM cache_entries;
CREATE TRIGGER cache_entries_ins AFTER INSERT ON cache_entries BEGIN
    UPDATE cache_totals SET bytes = bytes + NEW.size, entries = entries + 1 WHERE id = 1;
END;
CREATE TRIGGER cache_entries_del AFTER DELETE ON cache_entries BEGIN
    UPDATE cache_totals SET bytes = bytes - OLD.size, entries = entries - 1 WHERE id = 1;
END;
CREATE TRIGGER cache_entries_upd AFTER UPDATE OF size ON cache_entries BEGIN
    UPDATE cache_totals SET bytes = bytes - OLD.size + NEW.size WHERE id = 1;
END;
