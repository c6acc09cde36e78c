-- Fails at its second statement: the first, and 001_rows.sql, must leave nothing.
INSERT INTO ok (id) VALUES (3);
INSERT INTO ok (id) VALUES (missing_column);
