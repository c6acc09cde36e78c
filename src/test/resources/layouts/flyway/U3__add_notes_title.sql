DROP INDEX notes_title_trgm;
ALTER TABLE notes DROP COLUMN title;
