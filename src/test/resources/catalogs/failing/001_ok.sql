-- Applies.
CREATE TABLE ok (id int);
