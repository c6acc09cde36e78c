package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A team that onboarded its fleet from goose files renames them into Flotilla's own layout: every company keeps its
 * applied state (versions matched by number, the up sections recognised by their statements), a real edit is still
 * drift, the new rollback files undo, and rows recorded before content checksums existed are recognised too once a
 * start has seen their files unchanged.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RenamedCatalogIT extends ProcessTestSupport {

    private static final String[][] GOOSE = {
            {"00001_notes.sql", """
                    -- +goose Up
                    CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL);

                    -- +goose Down
                    DROP TABLE notes;
                    """},
            {"00002_tags.sql", """
                    -- +goose Up
                    -- +goose StatementBegin
                    CREATE FUNCTION note_tag(body text) RETURNS text LANGUAGE sql AS $$ SELECT left(body, 3) $$;
                    -- +goose StatementEnd
                    CREATE TABLE tags (note_id bigint REFERENCES notes (id), tag text NOT NULL DEFAULT 'x  y');

                    -- +goose Down
                    DROP TABLE tags;
                    DROP FUNCTION note_tag(text);
                    """},
            {"00003_title.sql", """
                    -- +goose Up
                    ALTER TABLE notes ADD COLUMN title text;

                    -- +goose Down
                    ALTER TABLE notes DROP COLUMN title;
                    """}};

    /** The same statements as Flotilla files, laid out by hand; version 2 keeps its string, 3 gains a comment. */
    private static final String[][] FLOTILLA = {
            {"001_notes.sql", "CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL);\n"},
            {"rollback_001_notes.sql", "DROP TABLE notes;\n"},
            {"002_tags.sql", """
                    -- Tags, and a helper to derive one.
                    CREATE FUNCTION note_tag(body text) RETURNS text LANGUAGE sql AS $$ SELECT left(body, 3) $$;
                    CREATE TABLE tags (note_id bigint REFERENCES notes (id),
                                       tag text NOT NULL DEFAULT 'x  y');
                    """},
            {"rollback_002_tags.sql", "DROP TABLE tags;\nDROP FUNCTION note_tag(text);\n"},
            {"003_title.sql", "-- The title, shown in lists.\nALTER TABLE notes ADD COLUMN title text;\n"},
            {"rollback_003_title.sql", "ALTER TABLE notes DROP COLUMN title;\n"},
            {"004_pinned.sql", "ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false;\n"},
            {"rollback_004_pinned.sql", "ALTER TABLE notes DROP COLUMN pinned;\n"}};

    @Test
    void renamingGooseFilesIntoFlotillasLayoutKeepsEveryCompanysState() throws Exception {
        Path goose = write(Files.createTempDirectory("renamed-goose"), GOOSE);
        ServiceProcess first = started("it-goose", Map.of("MIGRATIONS_DIR", goose.toString()));
        List<String> companies = new ArrayList<>();
        for (String schema : List.of("renamed_a", "renamed_b")) {
            HttpResponse<String> onboarded = first.post("/api/v1/companies", "{\"companyName\": \"" + schema
                    + "\", \"schemaName\": \"" + schema + "\"}");
            assertEquals(201, onboarded.statusCode(), onboarded.body());
            companies.add(ServiceProcess.json(onboarded).path("id").asText());
        }
        assertEquals("goose", ServiceProcess.json(first.get("/api/v1/migrations")).get(0).path("layout").asText());
        first.terminate(Duration.ofSeconds(60));

        // As an older Flotilla left them: no content checksums. A start on the unchanged files fills them in.
        db.execute("UPDATE public.migration_ledger SET content_checksum = NULL");
        db.execute("UPDATE public.migration_state SET content_checksum = NULL");
        started("it-goose-again", Map.of("MIGRATIONS_DIR", goose.toString())).terminate(Duration.ofSeconds(60));
        assertEquals(0, db.queryLong("SELECT count(*) FROM public.migration_state WHERE content_checksum IS NULL"));
        assertEquals(6, db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE content_checksum IS NOT NULL"));

        // Renamed, with one real edit on top: version 3's statement changes for the second start below.
        Path flotilla = write(Files.createTempDirectory("renamed-flotilla"), FLOTILLA);
        ServiceProcess renamed = started("it-renamed", Map.of("MIGRATIONS_DIR", flotilla.toString()));
        assertTrue(Files.readString(renamed.logFile()).contains("6 applied steps of 2 companies (versions 1, 2, 3)"),
                renamed.logTail(40));
        JsonNode drift = ServiceProcess.json(renamed.get("/api/v1/drift"));
        assertEquals(0, drift.size(), drift.toString());
        for (String company : companies) {
            JsonNode versions = ServiceProcess.json(renamed.get("/api/v1/companies/" + company + "/migrations"));
            assertEquals(List.of("1:applied:false", "2:applied:false", "3:applied:false", "4:pending:false"),
                    states(versions), versions.toString());
            HttpResponse<String> migrated = renamed.post("/api/v1/companies/" + company + "/migrate", null);
            assertEquals(200, migrated.statusCode(), migrated.body());
            assertEquals("[\"4\"]", ServiceProcess.json(migrated).path("applied").toString(), migrated.body());
        }
        assertEquals(1, db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE version = '1'"
                + " AND company_id = ?::uuid", companies.get(0)), "nothing ran again");

        // The new layout's rollback files undo what the goose files did.
        HttpResponse<String> down = renamed.post("/api/v1/rollouts", "{\"direction\": \"down\", \"targetVersion\": \"1\"}");
        assertEquals(202, down.statusCode(), down.body());
        String rollout = ServiceProcess.json(down).path("id").asText();
        Poll.until("the rollback rollout to finish", Duration.ofSeconds(60), () -> renamed.rollout(rollout),
                r -> r.path("state").asText().equals("succeeded"), r -> r + renamed.logTail(40));
        assertEquals(0, db.queryLong("SELECT count(*) FROM information_schema.tables WHERE table_name = 'tags'"
                + " AND table_schema IN ('renamed_a', 'renamed_b')"));
        assertEquals(List.of("rollback_004_pinned.sql", "rollback_003_title.sql", "rollback_002_tags.sql"),
                db.column("SELECT script FROM public.migration_ledger WHERE company_id = ?::uuid AND direction = 'down'"
                        + " ORDER BY id", String.class, companies.get(0)));
        renamed.terminate(Duration.ofSeconds(60));

        // A file whose statements changed is drift, whatever its layout.
        Files.writeString(flotilla.resolve("001_notes.sql"),
                "CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL, lang text);\n");
        ServiceProcess edited = started("it-edited", Map.of("MIGRATIONS_DIR", flotilla.toString()));
        JsonNode drifted = ServiceProcess.json(edited.get("/api/v1/drift"));
        assertEquals(2, drifted.size(), drifted.toString());
        assertEquals("[\"1\"]", drifted.get(0).path("versions").toString(), drifted.toString());
        assertFalse(Files.readString(edited.logFile()).contains("recorded from files laid out differently"),
                edited.logTail(40));
    }

    private static Path write(Path dir, String[][] files) throws Exception {
        for (String[] file : files) {
            Files.writeString(dir.resolve(file[0]), file[1]);
        }
        return dir;
    }

    private static List<String> states(JsonNode versions) {
        List<String> states = new ArrayList<>();
        versions.forEach(v -> states.add(v.path("version").asText() + ":" + v.path("state").asText().toLowerCase()
                + ":" + v.path("drifted").asBoolean()));
        return states;
    }
}
