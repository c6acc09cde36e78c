package io.flotilla.verification;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.catalog.CatalogProblem;
import io.flotilla.catalog.LintLevel;
import io.flotilla.catalog.LintLevels;
import io.flotilla.catalog.LintRule;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationResolver;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tenant-isolation lint against a real PostgreSQL: the sample catalog over HTTP, bad catalogs in a temp dir. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class LintTest {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final String ISOLATED = "ALTER TABLE %1$s ENABLE ROW LEVEL SECURITY;\n"
            + "CREATE POLICY tenant_isolation ON %1$s USING (tenant_id = current_setting('app.tenant_id')::uuid);\n";

    @Inject
    LintService lint;
    @Inject
    DataSource ds;
    @Inject
    ObjectMapper mapper;

    @TempDir
    Path dir;

    @AfterEach
    void noScratchSchemaIsLeftBehind() {
        assertEquals(0, scratchSchemas(), "scratch schemas are dropped when the work ends");
    }

    long scratchSchemas() {
        return Sql.count(ds, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'flotilla\\_scratch\\_%'");
    }

    Path write(Map<String, String> files) throws IOException {
        Path d = Files.createTempDirectory(dir, "catalog");
        for (var f : files.entrySet()) {
            Files.writeString(d.resolve(f.getKey()), f.getValue());
        }
        return d;
    }

    MigrationCatalog catalog(Map<String, String> files) throws IOException {
        return MigrationResolver.resolve(write(files), true).orThrow();
    }

    static Set<String> pairs(List<LintViolation> violations) {
        return violations.stream().map(v -> v.rule().id() + ":" + v.table()).collect(Collectors.toSet());
    }

    @Test
    void theSampleCatalogLintsClean() {
        given().when().get("/api/v1/lint").then().statusCode(200)
                .body("ok", equalTo(true))
                .body("violations", empty())
                .body("waived", empty())
                // Squawk's style rules, at level warning: reported, ok stays true.
                .body("warnings.collect { it.rule + ':' + it.table + ':' + it.level }", equalTo(List.of(
                        "prefer-bigint-over-int:messages:warning", "prefer-bigint-over-smallint:feedback:warning",
                        "prefer-bigint-over-int:usage_metrics:warning", "prefer-bigint-over-int:ai_config:warning")))
                .body("warnings[0].script", equalTo("002_create_messages.sql"))
                .body("warnings[0].line", equalTo(lineOf("002_create_messages.sql", "CREATE TABLE messages")))
                .body("warnings[0].suggestion", equalTo("bigint"))
                .body("satisfied.rule", equalTo(List.of("require-timeout-settings", "transaction-nesting")))
                .body("satisfied.by", equalTo(List.of("runner", "catalog")))
                .body("failure", nullValue())
                .body("tables", equalTo(List.of("ai_config", "conversations", "feedback", "messages", "usage_metrics")))
                .body("materializedViews", equalTo(List.of("conversation_daily_stats")));
    }

    /** The 1-based line of the sample file that starts with {@code start}. */
    static int lineOf(String file, String start) {
        try {
            List<String> lines = Files.readAllLines(Path.of("migrations", file));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(start)) {
                    return i + 1;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError(start + " not in " + file);
    }

    @Test
    void aBadCatalogBreaksEveryRuleOnceAndAWaiverMovesViolationsAside() throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("001_base.sql", "CREATE TABLE base (id int, tenant_id uuid NOT NULL, PRIMARY KEY (tenant_id, id));\n"
                + ISOLATED.formatted("base"));
        files.put("002_no_tenant.sql", "CREATE TABLE no_tenant (id int PRIMARY KEY);\n" + ISOLATED.replace(
                "tenant_id = current_setting('app.tenant_id')::uuid", "true").formatted("no_tenant"));
        files.put("003_nullable.sql", "CREATE TABLE nullable_tenant (id int, tenant_id uuid);\n"
                + "CREATE INDEX nullable_tenant_idx ON nullable_tenant (tenant_id);\n" + ISOLATED.formatted("nullable_tenant"));
        files.put("004_unindexed.sql", "CREATE TABLE unindexed (id int, tenant_id uuid NOT NULL);\n"
                + "CREATE INDEX unindexed_id_idx ON unindexed (id, tenant_id);\n"
                + "CREATE INDEX unindexed_expr_idx ON unindexed ((tenant_id::text));\n" + ISOLATED.formatted("unindexed"));
        files.put("005_no_rls.sql", "CREATE TABLE no_rls (tenant_id uuid PRIMARY KEY);\n"
                + "CREATE POLICY tenant_isolation ON no_rls USING (true);\n");
        files.put("006_no_policy.sql", "CREATE TABLE no_policy (tenant_id uuid UNIQUE NOT NULL);\n"
                + "ALTER TABLE no_policy ENABLE ROW LEVEL SECURITY;\n");
        files.put("007_index.sql", "-- An index on a table an earlier migration made, and one on a table made here.\n"
                + "CREATE INDEX base_id_idx ON base (id);\n"
                + "CREATE TABLE fresh (tenant_id uuid NOT NULL, x int);\n"
                + "CREATE INDEX fresh_idx ON fresh (tenant_id, x);\n"
                + "ALTER TABLE fresh ADD COLUMN y int NOT NULL;\n" + ISOLATED.formatted("fresh")
                + "COMMENT ON TABLE base IS 'CREATE INDEX x ON base (id); ALTER TABLE base ADD COLUMN z int NOT NULL';\n");
        files.put("008_add_column.sql", "ALTER TABLE base ADD COLUMN x int NOT NULL;\n"
                + "ALTER TABLE base ADD COLUMN ok1 int NOT NULL DEFAULT 0, ADD COLUMN ok2 int,"
                + " ADD COLUMN ok3 bigint GENERATED ALWAYS AS IDENTITY, ADD CONSTRAINT base_x_check CHECK (x > 0);\n");
        files.put("009_waived.sql", "-- flotilla:lint-waive Waived rls-enabled, has-policy\n"
                + "CREATE TABLE waived (tenant_id uuid NOT NULL PRIMARY KEY);\n");

        LintReport report = lint.lint(catalog(files)).await().atMost(WAIT);

        assertFalse(report.ok());
        assertNull(report.failure());
        assertEquals(Set.of(
                "tenant-id-not-null:no_tenant", "tenant-index:no_tenant",
                "tenant-id-not-null:nullable_tenant",
                "tenant-index:unindexed",
                "rls-enabled:no_rls",
                "has-policy:no_policy",
                "create-index-concurrently:base",
                "add-column-not-null-default:base",
                // Squawk's: an identity column rewrites base; its CHECK scans it under an ACCESS EXCLUSIVE lock.
                "adding-field-with-default:base",
                "constraint-missing-not-valid:base"), pairs(report.violations()));
        assertEquals(10, report.violations().size(), () -> report.violations().toString());
        assertTrue(report.violations().stream().allMatch(v -> v.level() == LintLevel.ERROR));
        assertEquals(Set.of("rls-enabled:waived", "has-policy:waived"), pairs(report.waived()));
        // Over HTTP a violation reads {rule, level, table, version, script, line, message, suggestion}, the rule by
        // its directive name; a table rule judges the end state, so it has no line: the field is left out, as every
        // field without a value is.
        Map<?, ?> json = mapper.convertValue(report.violations().get(0), Map.class);
        assertEquals(List.of("rule", "level", "table", "version", "script", "message", "suggestion"),
                List.copyOf(json.keySet()));
        assertEquals("tenant-id-not-null", json.get("rule"));
        assertEquals("error", json.get("level"));
        // A statement rule names the line its statement starts on.
        Map<String, Integer> lines = report.violations().stream().filter(v -> v.line() != null)
                .collect(Collectors.toMap(v -> v.rule().id(), LintViolation::line));
        assertEquals(Map.of("create-index-concurrently", 2, "add-column-not-null-default", 1,
                "adding-field-with-default", 2, "constraint-missing-not-valid", 2), lines);
        assertTrue(report.tables().containsAll(List.of("base", "fresh", "waived")));

        // Each violation names the migration that made the table, or that holds the statement.
        Map<String, String> versions = report.violations().stream()
                .collect(Collectors.toMap(v -> v.rule().id() + ":" + v.table(), v -> v.version() + " " + v.script()));
        assertEquals("2 002_no_tenant.sql", versions.get("tenant-index:no_tenant"));
        assertEquals("5 005_no_rls.sql", versions.get("rls-enabled:no_rls"));
        assertEquals("7 007_index.sql", versions.get("create-index-concurrently:base"));
        assertEquals("8 008_add_column.sql", versions.get("add-column-not-null-default:base"));
        assertTrue(report.violations().stream().filter(v -> v.rule() == LintRule.ADD_COLUMN_NOT_NULL_DEFAULT)
                .allMatch(v -> v.message().contains("ADD COLUMN x ")), () -> report.violations().toString());
        // Violations come in version order.
        assertEquals(List.of("2", "2", "3", "4", "5", "6", "7", "8", "8", "8"),
                report.violations().stream().map(LintViolation::version).toList());
    }

    @Test
    void aConcurrentIndexOnAnExistingTableAndFileDefaultsPass() throws IOException {
        LintReport report = lint.lint(catalog(Map.of(
                "001_t.sql", "-- flotilla:default dims=8\nCREATE TABLE ${schema}.t (tenant_id uuid NOT NULL, v int DEFAULT ${dims});\n"
                        + ISOLATED.formatted("t"),
                "002_idx.sql", "CREATE INDEX CONCURRENTLY t_tenant_idx ON ${schema}.t (tenant_id, v);"))).await().atMost(WAIT);
        assertTrue(report.ok(), report::toString);
        assertEquals(List.of("t"), report.tables());
    }

    @Test
    void aCatalogThatDoesNotBuildIsReportedNotThrown() throws IOException {
        LintReport report = lint.lint(catalog(Map.of(
                "001_t.sql", "CREATE TABLE t (tenant_id uuid NOT NULL PRIMARY KEY);\n" + ISOLATED.formatted("t"),
                "002_broken.sql", "CREATE INDEX t_idx ON t (tenant_id);\nINSERT INTO no_such_table VALUES (1);",
                "003_never.sql", "CREATE TABLE never (id int);"))).await().atMost(WAIT);
        assertFalse(report.ok());
        assertEquals("2", report.failure().version());
        assertEquals("002_broken.sql", report.failure().script());
        assertEquals("42P01", report.failure().sqlState());
        // Statements of the migrations that ran are still checked; tables only on a complete build.
        assertEquals(Set.of("create-index-concurrently:t"), pairs(report.violations()));
        assertEquals(List.of(), report.tables());

        LintReport unrendered = lint.lint(catalog(Map.of("001_t.sql", "CREATE TABLE t (v int DEFAULT ${nowhere});")))
                .await().atMost(WAIT);
        assertFalse(unrendered.ok());
        assertNull(unrendered.failure().sqlState());
        assertTrue(unrendered.failure().message().contains("${nowhere}"), unrendered.failure().message());
    }

    @Test
    void aWaiverNamingAnUnknownRuleIsACatalogProblem() throws IOException {
        var resolution = MigrationResolver.resolve(write(Map.of(
                "001_t.sql", "-- flotilla:lint-waive t rls-enabled,no-such-rule\nCREATE TABLE t (id int);")), true);
        assertTrue(resolution.catalog().isEmpty());
        assertEquals(1, resolution.problems().size(), resolution.problems()::toString);
        CatalogProblem problem = resolution.problems().get(0);
        assertEquals(CatalogProblem.Kind.INVALID_DIRECTIVE, problem.kind());
        assertTrue(problem.message().contains("no-such-rule"), problem.message());

        // Table names read as SQL reads them: unquoted ones folded to lower case, quoted ones verbatim.
        MigrationCatalog quoted = MigrationResolver.resolve(write(Map.of("001_t.sql",
                "-- flotilla:lint-waive \"Odd Name\" tenant-index\n-- flotilla:lint-waive Plain RLS-ENABLED,has-policy\nSELECT 1;")),
                true).orThrow();
        assertEquals(Map.of("Odd Name", Set.of(LintRule.TENANT_INDEX), "plain", Set.of(LintRule.RLS_ENABLED, LintRule.HAS_POLICY)),
                quoted.migrations().get(0).up().lintWaivers());

        var malformed = MigrationResolver.resolve(write(Map.of(
                "001_t.sql", "-- flotilla:lint-waive t\nCREATE TABLE t (id int);")), true);
        assertEquals(CatalogProblem.Kind.INVALID_DIRECTIVE, malformed.problems().get(0).kind());
    }

    @Test
    void levelsFromTheLintFileMakeRulesWarningsOrOffAndWaiversStillHold() throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("001_base.sql", "CREATE TABLE base (id bigint, tenant_id uuid NOT NULL, old text, gone text,"
                + " PRIMARY KEY (tenant_id, id));\n" + ISOLATED.formatted("base")
                + "CREATE TABLE legacy (tenant_id uuid PRIMARY KEY);\n" + ISOLATED.formatted("legacy"));
        files.put("002_change.sql", "-- flotilla:lint-waive legacy ban-drop-table\n"
                + "ALTER TABLE base DROP COLUMN old;\n"
                + "ALTER TABLE base ADD COLUMN n int;\n"
                + "ALTER TABLE base RENAME COLUMN gone TO kept;\n"
                + "DROP TABLE legacy;\n");
        Map<String, String> withLevels = new LinkedHashMap<>(files);
        withLevels.put(LintLevels.FILE, "# dropping columns is reviewed by hand here\n"
                + "ban-drop-column = warning\n"
                + "prefer-bigint-over-int = off\n");

        LintReport defaults = lint.lint(catalog(files)).await().atMost(WAIT);
        assertFalse(defaults.ok());
        assertEquals(Set.of("ban-drop-column:base", "renaming-column:base"), pairs(defaults.violations()));
        assertEquals(Set.of("prefer-bigint-over-int:base"), pairs(defaults.warnings()));
        assertEquals(Set.of("ban-drop-table:legacy"), pairs(defaults.waived()));
        assertEquals(List.of(3), defaults.warnings().stream().map(LintViolation::line).toList());

        LintReport leveled = lint.lint(catalog(withLevels)).await().atMost(WAIT);
        assertEquals(Set.of("renaming-column:base"), pairs(leveled.violations()));
        assertEquals(Set.of("ban-drop-column:base"), pairs(leveled.warnings()), "error made a warning; int made off");
        assertEquals(LintLevel.WARNING, leveled.warnings().get(0).level());
        assertEquals(Set.of("ban-drop-table:legacy"), pairs(leveled.waived()));

        withLevels.put(LintLevels.FILE, "ban-drop-column = warning\nrenaming-column = warning\n");
        LintReport warningsOnly = lint.lint(catalog(withLevels)).await().atMost(WAIT);
        assertTrue(warningsOnly.ok(), "warnings alone leave the lint ok: " + warningsOnly);
        assertEquals(Set.of("ban-drop-column:base", "renaming-column:base", "prefer-bigint-over-int:base"),
                pairs(warningsOnly.warnings()));
    }

    @Test
    void anUnknownRuleOrLevelInTheLintFileIsACatalogProblemNamingIt() throws IOException {
        var resolution = MigrationResolver.resolve(write(Map.of("001_t.sql", "CREATE TABLE t (id bigint);",
                LintLevels.FILE, "ban-drop-colum = off\nrenaming-table = fatal\nprefer-text-field = OFF\n")), true);
        assertTrue(resolution.catalog().isEmpty());
        assertEquals(2, resolution.problems().size(), resolution.problems()::toString);
        assertTrue(resolution.problems().stream().allMatch(p -> p.kind() == CatalogProblem.Kind.INVALID_LINT_LEVELS
                && p.files().equals(List.of(LintLevels.FILE)) && p.message().startsWith(LintLevels.FILE)));
        assertTrue(resolution.problems().stream().anyMatch(p -> p.message().contains("'ban-drop-colum'")));
        assertTrue(resolution.problems().stream().anyMatch(p -> p.message().contains("'fatal'")));

        MigrationCatalog fine = MigrationResolver.resolve(write(Map.of("001_t.sql", "CREATE TABLE t (id bigint);",
                LintLevels.FILE, "prefer-text-field = OFF\nban-drop-table: warning\n")), true).orThrow();
        assertEquals(LintLevel.OFF, fine.lintLevels().level(LintRule.PREFER_TEXT_FIELD));
        assertEquals(LintLevel.WARNING, fine.lintLevels().level(LintRule.BAN_DROP_TABLE));
        assertEquals(LintLevel.ERROR, fine.lintLevels().level(LintRule.BAN_DROP_COLUMN), "unnamed rules keep their default");
    }

    @Test
    void aScratchSchemaLeftByADeadProcessIsSweptByTheNextRun() {
        Sql.execute(ds, "CREATE SCHEMA flotilla_scratch_00000000deadbeef");
        Sql.execute(ds, "CREATE TABLE flotilla_scratch_00000000deadbeef.leftover (id int)");
        given().when().get("/api/v1/lint").then().statusCode(200).body("ok", equalTo(true));
        assertFalse(Sql.schemaExists(ds, "flotilla_scratch_00000000deadbeef"));
    }

    /**
     * An extension a migration creates that already lives in a company's schema (put there before Flotilla placed
     * extensions in the shared schema) is not moved; the lint names it and where it is, as a warning.
     */
    @Test
    void anExtensionTheCatalogCreatesLivingInACompanysSchemaIsNamedAsAWarning() throws IOException {
        String schema = Sql.unique("ext_owner");
        Sql.execute(ds, "DROP EXTENSION IF EXISTS pg_trgm CASCADE");
        Sql.execute(ds, "CREATE SCHEMA " + schema);
        Sql.execute(ds, "CREATE EXTENSION pg_trgm SCHEMA " + schema);
        try {
            MigrationCatalog catalog = catalog(Map.of("001_notes.sql", "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
                    + "CREATE TABLE notes (tenant_id uuid NOT NULL PRIMARY KEY, body text);\n"
                    + ISOLATED.formatted("notes")));

            LintReport report = lint.lint(catalog).await().atMost(WAIT);

            ServerExtensions home = report.servers().stream().filter(s -> s.server().equals("home")).findFirst()
                    .orElseThrow(() -> new AssertionError(report.servers().toString()));
            assertEquals(Map.of("pg_trgm", schema), home.misplaced(), report.servers().toString());
            assertTrue(report.ok(), "a warning, not a failure: " + report);
        } finally {
            Sql.execute(ds, "DROP EXTENSION IF EXISTS pg_trgm CASCADE");
            Sql.execute(ds, "DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
