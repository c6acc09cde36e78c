CREATE TABLE post (id bigint PRIMARY KEY, title text NOT NULL);
