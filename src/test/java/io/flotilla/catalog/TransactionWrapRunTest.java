package io.flotilla.catalog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flotilla.sql.TenantExecutor;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.ScriptRuns;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain file wrapped whole in {@code BEGIN;} … {@code COMMIT;} runs against the real PostgreSQL without its wrap, so
 * that the step commits or rolls back together with its ledger statement (as a sqitch script does).
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class TransactionWrapRunTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    TenantExecutor executor;
    @Inject
    Pool pool;
    @Inject
    DataSource ds;

    @TempDir
    Path dir;

    private MigrationScript up(String sql) throws IOException {
        Files.writeString(dir.resolve("008_half.sql"), sql, UTF_8);
        return MigrationResolver.resolve(dir, true).orThrow().migrations().get(0).up();
    }

    @Test
    void aWrappedStepRollsBackWithItsFailedLedgerStatement() throws IOException {
        String file = "BEGIN;\nCREATE TABLE half_a (id int);\nCREATE TABLE half_b (id int);\nCOMMIT;\n";
        MigrationScript up = up(file);
        String schema = new ScriptRuns(pool, executor).schema("wrap");

        runWithAFailingRecord(schema, up.sql());
        assertEquals(List.of(), Sql.tables(ds, schema), "the step rolled back with its failed ledger statement");

        // The file as written commits its tables before the ledger statement fails: what taking the wrap off prevents.
        runWithAFailingRecord(schema, file);
        assertEquals(List.of("half_a", "half_b"), Sql.tables(ds, schema));
    }

    @Test
    void aWrappedStepThatFailsLeavesNothingBehind() throws IOException {
        MigrationScript up = up("BEGIN;\nCREATE TABLE half_a (id int);\nCREATE TABLE half_b (id int);\nSELECT 1/0;\n"
                + "COMMIT;\n");
        ScriptRuns runs = new ScriptRuns(pool, executor);
        String schema = runs.schema("wrap");

        assertThrows(RuntimeException.class, () -> runs.run(schema, up));

        assertEquals(List.of(), Sql.tables(ds, schema));
    }

    /** Runs {@code sql} as a step whose ledger statement fails to insert: both must roll back. */
    private void runWithAFailingRecord(String schema, String sql) {
        assertThrows(RuntimeException.class, () -> pool.withConnection(conn -> executor.runAndCommit(conn, schema, sql,
                () -> conn.query("INSERT INTO no_such_ledger VALUES (1)").execute().replaceWithVoid()))
                .await().atMost(WAIT));
    }
}
