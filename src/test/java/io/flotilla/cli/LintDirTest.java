package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.cli.FlotillaCliTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flotilla lint --dir} with no service, on the PostgreSQL named by DB_HOST (what CI and the developers set;
 * the embedded path is LintDirIT's): the service's lint on a directory, in a scratch database created and dropped.
 */
class LintDirTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A tenant table the isolation rules accept. */
    static final String GOOD_TABLE = """
            CREATE TABLE invoices (
                tenant_id uuid NOT NULL,
                id bigint NOT NULL,
                amount numeric NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON invoices USING (tenant_id = current_setting('app.tenant_id')::uuid);
            """;

    @TempDir
    Path dir;

    /** The machine's PostgreSQL, as the service would be configured for it; MIGRATIONS_DIR must not matter. */
    static Map<String, String> server() {
        Map<String, String> env = new HashMap<>();
        env.put("DB_HOST", or(System.getenv("DB_HOST"), "127.0.0.1"));
        env.put("DB_PORT", or(System.getenv("DB_PORT"), "5432"));
        env.put("DB_USER", or(System.getenv("DB_USER"), "postgres"));
        if (System.getenv("DB_PASSWORD") != null) {
            env.put("DB_PASSWORD", System.getenv("DB_PASSWORD"));
        }
        env.put("MIGRATIONS_DIR", "/nonexistent");
        return env;
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private void write(String file, String sql) throws IOException {
        Files.writeString(dir.resolve(file), sql);
    }

    private List<String> lintDatabases() throws SQLException {
        Map<String, String> env = server();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + env.get("DB_HOST") + ":" + env.get("DB_PORT")
                + "/postgres", env.get("DB_USER"), or(env.get("DB_PASSWORD"), ""));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'flotilla\\_lint\\_%'")) {
            List<String> names = new java.util.ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }

    @Test
    void aCleanDirectoryExits0WithNoFindingsAndLeavesNoDatabase() throws Exception {
        List<String> before = lintDatabases();
        write("V1__invoices.sql", GOOD_TABLE);
        write("V2__invoice_notes.sql", "ALTER TABLE invoices ADD COLUMN note text;\n");

        Run run = FlotillaCliTest.run(server(), "lint", "--dir", dir.toString());

        assertEquals(0, run.code(), run.toString());
        assertTrue(run.out().contains("1 tables, 0 violations, 0 warnings, 0 waived: ok"), run.out());
        assertEquals(before, lintDatabases(), "the scratch database is dropped");

        Run json = FlotillaCliTest.run(server(), "lint", "--dir", dir.toString(), "--output", "json");
        assertEquals(0, json.code(), json.toString());
        JsonNode envelope = JSON.readTree(json.out());
        assertTrue(envelope.get("ok").asBoolean());
        assertEquals("lint", envelope.get("verb").asText());
        assertTrue(envelope.get("data").get("ok").asBoolean());
        assertEquals(List.of("invoices"), JSON.convertValue(envelope.get("data").get("tables"), List.class));
        assertEquals(0, envelope.get("data").get("violations").size());
    }

    @Test
    void aStatementRuleIsPrintedAtItsStatementsLine() throws Exception {
        write("V1__invoices.sql", GOOD_TABLE);
        write("V2__rename.sql", """
                -- the column gets a better name
                ALTER TABLE invoices ADD COLUMN note text;
                ALTER TABLE invoices RENAME COLUMN note TO remark;
                """);

        Run run = FlotillaCliTest.run(server(), "lint", "--dir", dir.toString());

        assertEquals(1, run.code(), run.toString());
        assertTrue(run.out().contains(dir.resolve("V2__rename.sql") + ":3: renaming-column"), run.out());
    }

    @Test
    void aViolationExits1AndNamesItsFileInTextAndJson() throws Exception {
        write("V1__invoices.sql", GOOD_TABLE);
        write("V2__audit.sql", """
                -- an audit table that forgot tenant isolation
                CREATE TABLE audit (id bigint PRIMARY KEY, what text);
                """);

        Run run = FlotillaCliTest.run(server(), "lint", "--dir", dir.toString());

        assertEquals(1, run.code(), run.toString());
        String file = dir.resolve("V2__audit.sql").toString();
        assertTrue(run.out().contains(file + ":2: tenant-id-not-null audit: "), run.out());
        assertTrue(run.out().contains(file + ":2: rls-enabled audit: "), run.out());
        assertTrue(run.err().contains("flotilla lint: 4 lint violations"), run.err());

        Run json = FlotillaCliTest.run(server(), "lint", "--dir", dir.toString(), "--output", "json");
        assertEquals(1, json.code(), json.toString());
        JsonNode envelope = JSON.readTree(json.out());
        assertEquals(List.of("ok", "exitCode", "verb", "data", "error"), fieldNames(envelope));
        assertEquals(1, envelope.get("exitCode").asInt());
        JsonNode report = envelope.get("data");
        // The API's LintReport, its components by name (nulls left out, as every verb's JSON does).
        List<String> components = java.util.Arrays.stream(io.flotilla.verification.LintReport.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName).toList();
        assertTrue(components.containsAll(fieldNames(report)), fieldNames(report) + " not all in " + components);
        assertTrue(fieldNames(report).containsAll(List.of("ok", "tables", "violations", "waived", "servers")),
                fieldNames(report).toString());
        assertTrue(!report.get("ok").asBoolean());
        JsonNode first = report.get("violations").get(0);
        assertEquals("tenant-id-not-null", first.get("rule").asText());
        assertEquals("audit", first.get("table").asText());
        assertEquals("2", first.get("version").asText());
        assertEquals("V2__audit.sql", first.get("script").asText());
        assertTrue(first.get("message").asText().contains("tenant_id"));
    }

    @Test
    void aMigrationThatDoesNotBuildExits1WithItsLine() throws Exception {
        write("V1__invoices.sql", GOOD_TABLE);
        write("V2__broken.sql", "-- a typo on line 3\n\nALTER TABLE invoices ADDD COLUMN note text;\n");

        Run run = FlotillaCliTest.run(server(), "lint", "--dir", dir.toString());

        assertEquals(1, run.code(), run.toString());
        assertTrue(run.out().contains(dir.resolve("V2__broken.sql") + ":3: does not build (version 2): [42601]"),
                run.out());
        assertTrue(run.err().contains("the catalog does not build"), run.err());
    }

    @Test
    void aCatalogThatDoesNotLoadExits1WithItsProblemAndStartsNoDatabase() throws Exception {
        write("V1__invoices.sql", "-- flotilla:no-such-directive yes\n" + GOOD_TABLE);
        Map<String, String> nowhere = new HashMap<>(server());
        nowhere.put("DB_PORT", "1"); // no server there: the catalog fails before any connection is tried

        Run run = FlotillaCliTest.run(nowhere, "lint", "--dir", dir.toString());

        assertEquals(1, run.code(), run.toString());
        assertTrue(run.out().contains(dir.resolve("V1__invoices.sql") + ": unknown-directive: "), run.out());
        assertTrue(run.out().contains("no-such-directive"), run.out());
        assertTrue(run.err().contains("does not load"), run.err());

        Run json = FlotillaCliTest.run(nowhere, "lint", "--dir", dir.toString(), "-o", "json");
        assertEquals(1, json.code(), json.toString());
        JsonNode problem = JSON.readTree(json.out()).get("data").get("problems").get(0);
        assertEquals("UNKNOWN_DIRECTIVE", problem.get("kind").asText());
        assertEquals("V1__invoices.sql", problem.get("files").get(0).asText());
        assertTrue(problem.path("line").isMissingNode(), "a directive problem is about the file, not a statement: "
                + problem);
    }

    @Test
    void aRefusedStatementIsPrintedAtItsFileAndLineInTextAndJson() throws Exception {
        write("V1__invoices.sql", GOOD_TABLE);
        write("V2__shared.sql", """
                -- a note for everyone
                ALTER TABLE invoices ADD COLUMN note text;

                CREATE TABLE public.notes (id int);
                """);
        write("V3__half.sql", "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n");
        write("V4__path.sql", "\nSELECT set_config('search_path', 'public', true);\n");
        Map<String, String> nowhere = new HashMap<>(server());
        nowhere.put("DB_PORT", "1"); // refused when the catalog loads: no server is needed

        Run run = FlotillaCliTest.run(nowhere, "lint", "--dir", dir.toString());

        assertEquals(1, run.code(), run.toString());
        assertTrue(run.out().contains(dir.resolve("V2__shared.sql") + ":4: outside-tenant: "), run.out());
        assertTrue(run.out().contains(dir.resolve("V3__half.sql") + ":2: transaction-control: "), run.out());
        assertTrue(run.out().contains(dir.resolve("V4__path.sql") + ":2: outside-tenant: "), run.out());
        assertTrue(run.out().contains("set_config('search_path', …) takes the step out of the tenant's schema"),
                run.out());

        Run json = FlotillaCliTest.run(nowhere, "lint", "--dir", dir.toString(), "-o", "json");
        assertEquals(1, json.code(), json.toString());
        Map<String, Integer> lines = new HashMap<>();
        for (JsonNode problem : JSON.readTree(json.out()).get("data").get("problems")) {
            lines.put(problem.get("files").get(0).asText(), problem.get("line").asInt());
        }
        assertEquals(Map.of("V2__shared.sql", 4, "V3__half.sql", 2, "V4__path.sql", 2), lines);
    }

    @Test
    void badUsageExits2() {
        assertEquals(2, FlotillaCliTest.run(server(), "lint", "--dir").code(), "--dir needs a value");
        Run both = FlotillaCliTest.run(server(), "lint", "--dir", dir.toString(), "--url", "http://localhost:1");
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.err().contains("--dir lints without a service"), both.err());
        assertEquals(2, FlotillaCliTest.run(server(), "lint", "--dir", dir.toString(), "--output", "yaml").code());
    }

    @Test
    void aServerThatCannotBeReachedExits2() throws Exception {
        write("V1__invoices.sql", GOOD_TABLE);
        Map<String, String> nowhere = new HashMap<>(server());
        nowhere.put("DB_HOST", "127.0.0.1");
        nowhere.put("DB_PORT", "1");

        Run run = FlotillaCliTest.run(nowhere, "lint", "--dir", dir.toString());

        assertEquals(2, run.code(), run.toString());
        assertTrue(run.err().contains("no database to lint in"), run.err());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
