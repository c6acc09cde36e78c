package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.security.Role;
import io.flotilla.testsupport.Ports;
import io.flotilla.testsupport.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code flotilla} command line as pipelines run it: {@code java -jar target/quarkus-app/quarkus-run.jar VERB}
 * as real processes (stdin and stdout not a terminal), against the packaged service running as another process on a
 * real PostgreSQL, with FLOTILLA_URL and FLOTILLA_TOKEN in the environment. Exit codes and output are the contract.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CliIT extends ProcessTestSupport {

    static final List<String> ENVELOPE = List.of("ok", "exitCode", "verb", "data", "error");
    static final Duration A_FEW_SECONDS = Duration.ofSeconds(15);

    /** One finished CLI process. */
    record Cli(int code, String out, String err, Duration took) {
        @Override
        public String toString() {
            return "exit " + code + " after " + took.toMillis() + " ms\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }

        JsonNode json() {
            try {
                return ServiceProcess.JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not one JSON document: " + this, e);
            }
        }
    }

    /** Runs the CLI with {@code env} over a clean environment (no key, no token, no URL of the machine's own). */
    static Cli cli(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(ServiceProcess.LOGS.resolve("cli"));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-jar", ServiceProcess.JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> environment = pb.environment();
        for (String inherited : List.of("FLOTILLA_URL", "FLOTILLA_TOKEN", "SMALLRYE_JWT_SIGN_KEY_LOCATION",
                "MP_JWT_VERIFY_ISSUER", "MIGRATIONS_DIR", "DB_HOST", "PORT")) {
            environment.remove(inherited);
        }
        environment.put("FLOTILLA_DATA_DIR", Files.createTempDirectory("flotilla-cli-home").toString());
        environment.putAll(env);
        long started = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("flotilla " + String.join(" ", args) + " still runs after 90 s");
        }
        Cli run = new Cli(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - started));
        System.out.printf("[it] flotilla %s -> %d (%d ms)%n", String.join(" ", args), run.code(), run.took().toMillis());
        return run;
    }

    private static Map<String, String> on(ServiceProcess service, String token) {
        return Map.of("FLOTILLA_URL", "http://127.0.0.1:" + service.port(), "FLOTILLA_TOKEN", token);
    }

    @Test
    void statusMigrateAndFollowAgainstTheService() throws Exception {
        ServiceProcess service = started("it-cli", Map.of());
        Map<String, String> operator = on(service, TestTokens.token(Role.OPERATOR));
        db.createFleet("it_cli_", 1, 3);

        // Companies inserted directly have every version pending: --check says so with 3.
        Cli pending = cli(operator, "status", "--check");
        assertEquals(3, pending.code(), pending.toString());
        assertTrue(pending.out().contains("3 active companies, latest version 7"), pending.toString());
        assertTrue(pending.out().contains("pending 3"), pending.toString());

        // A canary of one, then waves of one: three waves, one progress line each (not a terminal), then the summary.
        Cli migrate = cli(operator, "migrate", "--canary", "1", "--batch-size", "1");
        assertEquals(0, migrate.code(), migrate.toString() + logs().get());
        assertTrue(migrate.err().lines().anyMatch(l -> l.matches("rollout [0-9a-f-]{36} \\w+: up to the latest version,"
                + " 3 companies in 3 waves \\(canary 1\\).*")), migrate.toString());
        for (int wave = 1; wave <= 3; wave++) {
            String prefix = "wave " + wave + "/3 done: ";
            assertEquals(1, migrate.err().lines().filter(l -> l.startsWith(prefix)).count(), prefix + " once in\n" + migrate);
        }
        assertTrue(migrate.out().matches("(?s)rollout [0-9a-f-]{36} succeeded: 3/3 companies done \\(3 succeeded, 0 skipped,"
                + " 0 failed\\), 21 steps applied in .*"), migrate.toString());
        assertFalse(migrate.err().contains("\r"), "no progress bar without a terminal");
        assertEquals(21, db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE schema_name LIKE 'it\\_cli\\_%'"
                + " AND status = 'applied'"));

        Cli upToDate = cli(operator, "status", "--check");
        assertEquals(0, upToDate.code(), upToDate.toString());
        assertTrue(upToDate.out().contains("up to date 3, pending 0, failed 0, drifted 0"), upToDate.toString());
        Cli one = cli(operator, "status", "--company", "it_cli_2", "--check");
        assertEquals(0, one.code(), one.toString());
        assertEquals(7, one.out().lines().filter(l -> l.contains(" applied ")).count(), one.toString());

        // Nothing left to do: a rollout whose companies are all skipped still succeeds.
        Cli again = cli(operator, "migrate", "--output", "json");
        assertEquals(0, again.code(), again.toString());
        JsonNode done = again.json();
        assertEquals(ENVELOPE, fields(done));
        assertEquals(3, done.get("data").get("targets").get("skipped").asInt(), again.toString());

        // --at schedules the rollout and exits 0 with its id; follow attaches and waits for it to start and end.
        Cli scheduled = cli(operator, "migrate", "--at", java.time.OffsetDateTime.now().plusSeconds(3).toString(),
                "--output", "json");
        assertEquals(0, scheduled.code(), scheduled.toString());
        assertEquals("scheduled", scheduled.json().get("data").get("state").asText(), scheduled.toString());
        String scheduledId = scheduled.json().get("data").get("id").asText();
        Cli followed = cli(operator, "follow", scheduledId, "--output", "json");
        assertEquals(0, followed.code(), followed.toString());
        assertEquals("succeeded", followed.json().get("data").get("state").asText(), followed.toString());

        // --timeout gives up (4) while the rollout waits for a schema the test holds locked; follow attaches again.
        db.createFleet("it_cli_slow_", 1, 1);
        try (Connection lock = db.connect(); Statement s = lock.createStatement()) {
            s.execute("SELECT pg_advisory_lock(1179406164, hashtext('it_cli_slow_1'))");
            Cli gaveUp = cli(operator, "migrate", "--company", "it_cli_slow_1", "--timeout", "2s", "-o", "json");
            assertEquals(4, gaveUp.code(), gaveUp.toString());
            JsonNode envelope = gaveUp.json();
            assertEquals(ENVELOPE, fields(envelope));
            assertTrue(envelope.get("error").get("message").asText().contains("goes on in the service"), gaveUp.toString());
            String id = envelope.get("data").get("id").asText();
            s.execute("SELECT pg_advisory_unlock(1179406164, hashtext('it_cli_slow_1'))");
            Cli follow = cli(on(service, TestTokens.token(Role.VIEWER)), "follow", id);
            assertEquals(0, follow.code(), follow.toString());
            assertTrue(follow.out().startsWith("rollout " + id + " succeeded: 1/1 companies done"), follow.toString());
        }
    }

    @Test
    void aMigrationFailingInOneCompanyExits1AndNamesIt() throws Exception {
        ServiceProcess service = started("it-cli-fail", Map.of());
        Map<String, String> operator = on(service, TestTokens.token(Role.OPERATOR));
        db.createFleet("it_cli_bad_", 1, 2);
        // Version 2 creates messages: already there in one company, so that step fails there and only there.
        db.execute("CREATE TABLE it_cli_bad_2.messages (x int)");

        Cli migrate = cli(operator, "migrate", "--max-failures", "1");
        assertEquals(1, migrate.code(), migrate.toString() + logs().get());
        assertTrue(migrate.out().contains("rollout ") && migrate.out().contains(" failed: 2/2 companies done (1 succeeded,"
                + " 0 skipped, 1 failed)"), migrate.toString());
        assertTrue(migrate.out().contains("failed: it_cli_bad_2 version 2: [42P07]"), migrate.toString());
        assertTrue(migrate.err().contains("flotilla migrate: rollout "), migrate.toString());

        assertEquals(0, cli(operator, "status", "--company", "it_cli_bad_1", "--check").code());
        Cli bad = cli(operator, "status", "--company", "Co it_cli_bad_2", "--check");
        assertEquals(3, bad.code(), bad.toString());
        assertTrue(bad.out().lines().anyMatch(l -> l.contains("failed") && l.contains("42P07")), bad.toString());
        Cli fleet = cli(operator, "status");
        assertEquals(0, fleet.code(), "without --check status only reports: " + fleet);
        assertTrue(fleet.out().contains("failed: it_cli_bad_2 version 2: [42P07]"), fleet.toString());

        // The same envelope, keys and all, for success and for every kind of failure.
        Cli ok = cli(operator, "status", "--output", "json");
        Cli failed = cli(operator, "migrate", "--output", "json");
        Cli refused = cli(on(service, TestTokens.sign(TestTokens.OTHER_PRIVATE_KEY, Role.ADMIN, Duration.ofHours(1))),
                "status", "--output", "json");
        for (Cli run : List.of(ok, failed, refused)) {
            assertEquals(ENVELOPE, fields(run.json()), run.toString());
            assertEquals(run.code(), run.json().get("exitCode").asInt(), run.toString());
            assertEquals(run.code() == 0, run.json().get("ok").asBoolean(), run.toString());
        }
        assertEquals(0, ok.code());
        assertTrue(ok.json().get("error").isNull());
        assertEquals(1, ok.json().get("data").get("fleet").get("failed").asInt(), ok.toString());
        assertEquals(1, failed.code(), failed.toString());
        assertEquals("it_cli_bad_2", failed.json().get("data").get("failures").get(0).get("schemaName").asText(), failed.toString());
        assertEquals(2, refused.code());
        assertEquals(401, refused.json().get("error").get("status").asInt(), refused.toString());
        assertEquals("urn:flotilla:problem:unauthorized", refused.json().get("error").get("type").asText());
        assertTrue(refused.json().get("data").isNull());
    }

    @Test
    void aWrongTokenOrNoServiceExits2WithAClearMessage() throws Exception {
        ServiceProcess service = started("it-cli-auth", Map.of());
        Cli wrongKey = cli(on(service, TestTokens.sign(TestTokens.OTHER_PRIVATE_KEY, Role.ADMIN, Duration.ofHours(1))), "status");
        assertEquals(2, wrongKey.code(), wrongKey.toString());
        assertTrue(wrongKey.err().contains("the service refused the token (FLOTILLA_TOKEN): ")
                && wrongKey.err().contains("mint one with `flotilla token --role viewer`"), wrongKey.toString());
        assertEquals("", wrongKey.out());

        Cli viewer = cli(on(service, TestTokens.token(Role.VIEWER)), "migrate");
        assertEquals(2, viewer.code(), viewer.toString());
        assertTrue(viewer.err().contains("this needs role operator"), viewer.toString());

        // No token given, but the service's key readable: the verb signs its own, with the role it needs.
        Cli selfSigned = cli(Map.of("FLOTILLA_URL", "http://127.0.0.1:" + service.port(),
                "SMALLRYE_JWT_SIGN_KEY_LOCATION", TestTokens.PRIVATE_KEY.toString()), "status", "--check");
        assertEquals(0, selfSigned.code(), selfSigned.toString());

        int nothing = Ports.free();
        Cli refused = cli(Map.of("FLOTILLA_URL", "http://127.0.0.1:" + nothing, "FLOTILLA_TOKEN", "a.b.c"), "status");
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().contains("http://127.0.0.1:" + nothing + " (FLOTILLA_URL): connection refused"), refused.toString());
    }

    @Test
    void anUnknownVerbOrOptionPrintsTheUsageAndNeverStartsAService() throws Exception {
        int port = Ports.free();
        Map<String, String> couldServe = new HashMap<>(db.env());
        couldServe.put("PORT", Integer.toString(port));
        couldServe.put("FLOTILLA_EMBEDDED_DB", "false");
        couldServe.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", TestTokens.PUBLIC_KEY.toString());
        for (String[] args : List.of(new String[]{"frobnicate", "--name", "x"}, new String[]{"status", "--bogus"},
                new String[]{"serve", "--port", "9"})) {
            Cli run = cli(couldServe, args);
            assertEquals(2, run.code(), run.toString());
            assertTrue(run.took().compareTo(A_FEW_SECONDS) < 0, "ended within a few seconds: " + run);
            assertTrue(run.err().contains("Usage: flotilla"), run.toString());
            assertFalse((run.out() + run.err()).contains("Quarkus") || (run.out() + run.err()).contains("Listening on"),
                    "no service banner: " + run);
            assertThrows(IOException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                }
            }, "nothing listens on PORT " + port);
        }
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
                "no service touched the database");
    }

    @Test
    void seedLandsRowsAndResetWantsTheSchemaNameTypedOut() throws Exception {
        ServiceProcess service = started("it-cli-seed", Map.of());
        Map<String, String> operator = on(service, TestTokens.token(Role.OPERATOR));
        Map<String, String> admin = on(service, TestTokens.token(Role.ADMIN));
        db.createFleet("it_cli_seed_", 1, 1);
        assertEquals(0, cli(operator, "migrate", "--company", "it_cli_seed_1").code());

        Cli seed = cli(operator, "seed", "--company", "it_cli_seed_1");
        assertEquals(0, seed.code(), seed.toString());
        assertTrue(seed.out().startsWith("seeded it_cli_seed_1 with 1 file in "), seed.toString());
        assertEquals(2, db.queryLong("SELECT count(*) FROM it_cli_seed_1.conversations"));
        assertEquals(5, db.queryLong("SELECT count(*) FROM it_cli_seed_1.messages"));

        // Refused without the confirmation (locally, nothing sent) and with a wrong one (the service, 400): untouched.
        Cli unconfirmed = cli(admin, "reset", "--company", "it_cli_seed_1");
        assertEquals(2, unconfirmed.code(), unconfirmed.toString());
        assertTrue(unconfirmed.err().contains("--confirm <its schema name>; nothing was sent"), unconfirmed.toString());
        Cli mistyped = cli(admin, "reset", "--company", "it_cli_seed_1", "--confirm", "it_cli_seed_2", "-o", "json");
        assertEquals(2, mistyped.code(), mistyped.toString());
        assertEquals(400, mistyped.json().get("error").get("status").asInt(), mistyped.toString());
        assertEquals(2, db.queryLong("SELECT count(*) FROM it_cli_seed_1.conversations"), "the schema is untouched");
        long ledgerRows = db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE schema_name = 'it_cli_seed_1'");
        assertEquals(7, ledgerRows, "nothing recorded either");

        Cli reset = cli(admin, "reset", "--company", "Co it_cli_seed_1", "--confirm", "it_cli_seed_1");
        assertEquals(0, reset.code(), reset.toString());
        assertTrue(reset.out().startsWith("reset it_cli_seed_1: dropped with versions 1, 2, 3, 4, 5, 6, 7; applied again:"
                + " 1, 2, 3, 4, 5, 6, 7"), reset.toString());
        assertEquals(0, db.queryLong("SELECT count(*) FROM it_cli_seed_1.conversations"), "the seeded rows are gone");
        assertEquals(0, cli(operator, "status", "--company", "it_cli_seed_1", "--check").code(), "every version applied again");
    }

    /** One directory per layout the catalog reads, as another tool left it: the next pair follows its numbering. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "Flotilla,       007_index_things.sql|rollback_007_index_things.sql,  008_add_invoices.sql,  rollback_008_add_invoices.sql",
            "golang-migrate, 1_init.up.sql|1_init.down.sql,                       2_add_invoices.up.sql, 2_add_invoices.down.sql",
            "Flyway,         V1_26__init.sql|V1_27__more.sql,                     V1_28__add_invoices.sql, U1_28__add_invoices.sql",
            "dotted,         3.init.sql|3.init.down.sql,                          4.add_invoices.sql,    4.add_invoices.down.sql"})
    void createWritesTheNextMigrationInTheDirectorysLayoutWithoutAnyService(String layout, String existing, String up,
                                                                            String down) throws Exception {
        Path catalog = Files.createTempDirectory("flotilla-cli-create");
        for (String file : existing.split("\\|")) {
            Files.writeString(catalog.resolve(file), "-- " + file + "\nCREATE TABLE IF NOT EXISTS things (id int);\n");
        }
        Cli create = cli(Map.of("MIGRATIONS_DIR", catalog.toString(), "FLOTILLA_URL", "http://127.0.0.1:" + Ports.free()),
                "create", "--name", "add_invoices");
        assertEquals(0, create.code(), layout + ": " + create);
        assertEquals(List.of(catalog.resolve(up).toString(), catalog.resolve(down).toString()),
                create.out().lines().toList(), layout + ": " + create);
        assertTrue(Files.isRegularFile(catalog.resolve(up)) && Files.isRegularFile(catalog.resolve(down)), layout);
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
