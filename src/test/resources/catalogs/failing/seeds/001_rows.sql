-- Runs, then is rolled back with the file after it.
INSERT INTO ok (id) VALUES (1), (2);
