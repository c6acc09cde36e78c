-- Never reached.
CREATE TABLE never (id int);
