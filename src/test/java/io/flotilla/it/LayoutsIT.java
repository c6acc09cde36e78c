package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.catalog.Layout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every directory under {@code src/test/resources/layouts/}, one per layout Flotilla reads in place, each written as
 * its tool documents its files, served by the packaged service (one process per layout, its catalog being read at
 * start-up): three migrations (a table with
 * {@code CREATE EXTENSION IF NOT EXISTS pg_trgm}, a {@code CREATE INDEX CONCURRENTLY} using its operator class
 * without a transaction, a transactional gist index using another), two companies onboarded over HTTP, then a down
 * rollout to version 1 where the layout has rollbacks, or its refusal where it has none. A directory added there
 * (with the same three migrations) is picked up without touching this class; its name is the {@link Layout}'s, in
 * lower case.
 * <p>
 * One database for the class (creating and dropping one per layout cost more than the layout's own work): each
 * layout starts with no pg_trgm anywhere and the earlier layouts' companies deleted with their schemas, so every
 * layout creates the extension afresh.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LayoutsIT {

    static final Path LAYOUTS = Path.of("src", "test", "resources", "layouts").toAbsolutePath();
    /** What each of the three migrations does, in order, and whether it runs in a transaction. */
    static final List<String> UPS = List.of("CREATE TABLE notes", "CREATE INDEX CONCURRENTLY notes_body_trgm",
            "ADD COLUMN title");
    static final List<Boolean> TRANSACTIONAL = List.of(true, false, true);

    static ItDatabase db;
    private ServiceProcess service;

    @BeforeAll
    static void openDatabase() {
        db = ItDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @AfterEach
    void stopService() {
        if (service != null) {
            service.close();
        }
    }

    /** No pg_trgm anywhere and no company left from an earlier layout (the first layout's start made the tables). */
    private static void forgetEarlierLayouts() {
        db.execute("DROP EXTENSION IF EXISTS pg_trgm CASCADE");
        if (db.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'companies'") == 0) {
            return;
        }
        for (String schema : db.column("SELECT schema_name::text FROM public.companies WHERE deleted_at IS NULL",
                String.class)) {
            db.execute("DROP SCHEMA IF EXISTS \"" + schema.replace("\"", "\"\"") + "\" CASCADE");
        }
        db.execute("UPDATE public.companies SET deleted_at = now() WHERE deleted_at IS NULL");
    }

    private Supplier<String> logs() {
        return () -> service == null ? "" : "\n" + service.logTail(80);
    }

    static Stream<String> layouts() throws IOException {
        try (Stream<Path> dirs = Files.list(LAYOUTS)) {
            List<String> ids = dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
            assertTrue(ids.size() >= 8, "layout directories under " + LAYOUTS + ": " + ids);
            return ids.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void twoCompaniesOnboardInOrderWithTheExtensionSharedAndRollBackWhereTheLayoutCan(String id) throws Exception {
        Layout layout = Layout.valueOf(id.toUpperCase(Locale.ROOT));
        forgetEarlierLayouts();
        service = ServiceProcess.start("it-" + id, "LayoutsIT-" + id, db,
                Map.of("MIGRATIONS_DIR", LAYOUTS.resolve(id).toString()));
        service.awaitReady(Duration.ofSeconds(90));

        // Read in place: the start-up line names the layout, the catalog lists the three migrations in order.
        String log = Files.readString(service.logFile());
        assertTrue(log.contains(": 3 migrations (" + layout.label() + " layout)"), service.logTail(60));
        List<String> versions = catalogInOrder(service);

        List<String> companies = new ArrayList<>();
        for (String schema : List.of(id + "_a", id + "_b")) {
            HttpResponse<String> onboarded = service.post("/api/v1/companies",
                    "{\"companyName\": \"" + schema + "\", \"schemaName\": \"" + schema + "\"}");
            assertEquals(201, onboarded.statusCode(), onboarded.body() + logs().get());
            JsonNode body = ServiceProcess.json(onboarded);
            assertEquals(versions, strings(body.path("appliedVersions")), onboarded.body());
            companies.add(body.path("id").asText());
        }

        assertEquals(List.of("public"), db.column("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
                + " ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'", String.class), "pg_trgm lives in public");
        for (int c = 0; c < 2; c++) {
            String company = companies.get(c);
            String schema = List.of(id + "_a", id + "_b").get(c);
            assertEquals(List.of(versions.get(0) + " applied true", versions.get(1) + " applied false",
                    versions.get(2) + " applied true"), ledger(company, "up"), schema);
            assertEquals(List.of("notes_body_trgm true", "notes_title_trgm true"), trigramIndexes(schema), schema);
        }

        HttpResponse<String> down = service.post("/api/v1/rollouts", "{\"direction\": \"down\", \"targetVersion\": \""
                + versions.get(0) + "\", \"companyIds\": [\"" + String.join("\", \"", companies) + "\"]}");
        if (layout == Layout.PRISMA) {
            // Prisma has no down migrations: refused before anything runs, as a problem.
            assertEquals(422, down.statusCode(), down.body());
            assertTrue(down.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                    down.headers().toString());
            assertTrue(ServiceProcess.json(down).path("detail").asText().contains(versions.get(2)), down.body());
            for (String company : companies) {
                assertEquals(List.of(), ledger(company, "down"));
            }
            return;
        }
        assertEquals(202, down.statusCode(), down.body() + logs().get());
        String rollout = ServiceProcess.json(down).path("id").asText();
        JsonNode done = Poll.until("the down rollout to end", Duration.ofSeconds(60), () -> service.rollout(rollout),
                RolloutJson::terminal, r -> RolloutJson.summary(r) + logs().get());
        assertEquals("succeeded", RolloutJson.state(done), RolloutJson.summary(done) + logs().get());
        for (int c = 0; c < 2; c++) {
            String schema = List.of(id + "_a", id + "_b").get(c);
            assertEquals(List.of(versions.get(2) + " rolled_back true", versions.get(1) + " rolled_back false"),
                    ledger(companies.get(c), "down"), schema);
            assertEquals(List.of(), trigramIndexes(schema), schema);
            assertEquals(List.of("body", "id"), db.column("SELECT column_name::text FROM information_schema.columns"
                    + " WHERE table_schema = ? AND table_name = 'notes' ORDER BY 1", String.class, schema), schema);
        }
    }

    /** GET /api/v1/migrations: three versions in ascending order, each doing what its place says. */
    private List<String> catalogInOrder(ServiceProcess service) throws IOException, InterruptedException {
        HttpResponse<String> listed = service.get("/api/v1/migrations");
        assertEquals(200, listed.statusCode(), listed.body());
        JsonNode all = ServiceProcess.json(listed);
        assertEquals(3, all.size(), listed.body());
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode m = all.get(i);
            versions.add(m.path("version").asText());
            assertEquals(TRANSACTIONAL.get(i), m.path("transactional").asBoolean(), m.toString());
            HttpResponse<String> one = service.get("/api/v1/migrations/" + m.path("version").asText());
            assertTrue(ServiceProcess.json(one).path("sql").asText().contains(UPS.get(i)), one.body());
        }
        return versions;
    }

    /** The company's ledger steps in one direction, in the order they ran: "version status transactional". */
    private List<String> ledger(String company, String direction) {
        return db.column("SELECT version || ' ' || status || ' ' || transactional FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid AND direction = ? ORDER BY id", String.class, company, direction);
    }

    /** The trigram indexes in a schema with whether each is valid. */
    private List<String> trigramIndexes(String schema) {
        return db.column("SELECT c.relname || ' ' || i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname LIKE '%trgm'"
                + " ORDER BY 1", String.class, schema);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
