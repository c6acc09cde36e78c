-- Verify notes:notes_body_trgm on pg

SELECT 1/count(*) FROM pg_indexes WHERE indexname = 'notes_body_trgm';
