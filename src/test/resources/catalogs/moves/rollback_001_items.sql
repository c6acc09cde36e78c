DROP TABLE events;
DROP TABLE items;
