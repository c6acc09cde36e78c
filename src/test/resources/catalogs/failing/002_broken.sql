-- Fails half-way: the table it creates must be rolled back with it.
CREATE TABLE broken (id int);
SELECT 1 / 0;
