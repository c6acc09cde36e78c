-- CreateIndex
CREATE INDEX CONCURRENTLY notes_body_trgm ON notes USING gin (body gin_trgm_ops);
