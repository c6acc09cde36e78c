ALTER TABLE notes ADD COLUMN title text;
CREATE INDEX notes_title_trgm ON notes USING gist (title gist_trgm_ops);
