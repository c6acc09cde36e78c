package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.testsupport.ExtraServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A process dies between a tenant server's commit and the copy of its steps into the home ledger, as SIGKILL would
 * leave it (the test hook {@code FLOTILLA_FAULT_HALT_BEFORE_LEDGER_COPY} halts the JVM right there). The server's own
 * ledger has the steps, home has none; the next process's start-up reconciliation copies each exactly once, later
 * passes add nothing, and migrating the company afterwards finishes the remaining versions, again exactly once.
 *
 * <p>The first process sees a catalog of the first {@value #FIRST} versions only, so that versions are left for the
 * second one to apply after the reconciliation.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ServerCopyKillIT extends ProcessTestSupport {

    private static final int FIRST = 3;
    private static final String SERVER = "killed-copy";

    private ExtraServers extra;
    private Path passwordFile;
    private Path firstCatalog;

    @AfterEach
    void stopExtraServer() throws IOException {
        // The processes first: they hold connections to the server that is about to go.
        processes.forEach(ServiceProcess::close);
        if (extra != null) {
            extra.close();
        }
        if (passwordFile != null) {
            Files.deleteIfExists(passwordFile);
        }
        deleteRecursively(firstCatalog);
    }

    @Test
    void homeLedgerGetsEveryStepOfAProcessKilledBeforeItsCopyExactlyOnce() throws Exception {
        String password = "pw-" + UUID.randomUUID();
        extra = ExtraServers.start(password);
        passwordFile = Files.createTempFile("flotilla-killit", ".pw");
        Files.writeString(passwordFile, password);
        firstCatalog = firstVersions(FIRST);

        ServiceProcess a = started("it-a", Map.of("FLOTILLA_FAULT_HALT_BEFORE_LEDGER_COPY", "true",
                "MIGRATIONS_DIR", firstCatalog.toString()));
        HttpResponse<String> registered = a.post("/api/v1/servers", "{\"name\": \"" + SERVER + "\", \"host\": \"127.0.0.1\","
                + " \"port\": " + extra.port(0) + ", \"database\": \"" + ExtraServers.DATABASE + "\", \"user\": \""
                + ExtraServers.USER + "\", \"tlsMode\": \"disable\", \"connectionBudget\": 4,"
                + " \"passwordFrom\": {\"file\": \"" + passwordFile + "\"}}");
        assertEquals(201, registered.statusCode(), registered.body() + logs().get());

        // Onboarding applies the catalog on the server, which commits; then the process halts before the copy.
        String schema = "killit_co";
        try {
            HttpResponse<String> onboarded = a.post("/api/v1/companies", "{\"companyName\": \"Killed Co\","
                    + " \"schemaName\": \"" + schema + "\", \"server\": \"" + SERVER + "\"}");
            fail("the process should have halted before answering: " + onboarded.statusCode() + " " + onboarded.body());
        } catch (IOException expected) {
            // the connection died with the process
        }
        assertEquals(137, a.awaitExit(Duration.ofSeconds(30)), "the process should halt as SIGKILL leaves it" + logs().get());
        assertTrue(Files.readString(a.logFile()).contains("FAULT halt-before-ledger-copy"),
                "the process died, but not at the hook" + logs().get());

        String company = db.column("SELECT id::text FROM public.companies WHERE schema_name = ?", String.class, schema).get(0);
        assertEquals(SERVER, db.column("SELECT server FROM public.companies WHERE id = ?::uuid", String.class, company).get(0));
        List<String> onServer = serverSteps(company);
        assertEquals(FIRST, onServer.size(), "the server's ledger should have every step of the run: " + onServer);
        assertTrue(onServer.stream().allMatch(s -> s.endsWith(":applied")), onServer.toString());
        assertEquals(List.of(), homeSteps(company), "nothing reached the home ledger before the halt");
        assertEquals(0, db.queryLong("SELECT count(*) FROM public.migration_state WHERE company_id = ?::uuid", company));
        System.out.printf("[it] ServerCopyKillIT: A halted after %d steps committed on %s, none copied home%n",
                onServer.size(), SERVER);

        // Without the hook, the full catalog, and a short reconcile interval: start-up copies what home lacks.
        ServiceProcess b = started("it-b", Map.of("FLOTILLA_SERVER_RECONCILE_INTERVAL", "500ms"));
        Poll.until("the start-up reconciliation to copy the server's steps", Duration.ofSeconds(60),
                () -> homeSteps(company), steps -> steps.size() >= FIRST, steps -> steps + logs().get());
        assertHomeMatchesServer(company);
        assertEquals(FIRST, metric(b, "flotilla_ledger_reconcile_steps_total"), "steps the reconciliation copied");

        assertLaterPassesChangeNothing(b, company);

        // The versions the first catalog lacked, applied by B, with its own copy right after.
        HttpResponse<String> migrated = b.post("/api/v1/companies/" + company + "/migrate", null);
        assertEquals(200, migrated.statusCode(), migrated.body() + logs().get());
        JsonNode result = ServiceProcess.json(migrated);
        assertEquals(List.of("4", "5", "6", "7"), strings(result.path("applied")), migrated.body());
        List<String> all = serverSteps(company);
        assertEquals(FleetAssertions.VERSIONS, all.size(), all.toString());
        assertEquals(List.of(String.valueOf(FleetAssertions.VERSIONS)), extra.column(0, "SELECT count(DISTINCT version)"
                + " FROM public.migration_ledger WHERE company_id = ?::uuid AND status = 'applied'", company),
                "each version applied once on the server");
        assertHomeMatchesServer(company);
        // A pass may race this run (its steps commit one by one on the server, its copy follows the whole run) and
        // copy some of them first: either way each is at home once, which is what the checks above and below hold.
        assertLaterPassesChangeNothing(b, company);
        assertEquals(0, db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE server_step_id IS NULL"
                + " AND company_id = ?::uuid", company), "no step of the company recorded at home as home's own");
    }

    /** The server's steps for the company, {@code id:version:status} in id order. */
    private List<String> serverSteps(String company) {
        return extra.column(0, "SELECT id || ':' || version || ':' || status FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid ORDER BY id", company);
    }

    /** The home ledger's copies of them, {@code server_step_id:version:status} in that order. */
    private List<String> homeSteps(String company) {
        return db.column("SELECT server_step_id || ':' || version || ':' || status FROM public.migration_ledger"
                + " WHERE company_id = ?::uuid AND server = ? ORDER BY server_step_id, id", String.class, company, SERVER);
    }

    /** Each server step at home exactly once (same id, version, status), and the company's state the same. */
    private void assertHomeMatchesServer(String company) {
        assertEquals(serverSteps(company), homeSteps(company), "home ledger rows of server " + SERVER + logs().get());
        assertEquals(0, db.queryLong("SELECT count(*) FROM (SELECT server_step_id FROM public.migration_ledger"
                + " WHERE server = ? GROUP BY server_step_id HAVING count(*) > 1) d", SERVER), "a step copied twice");
        List<String> there = extra.column(0, "SELECT version || ':' || applied || ':' || checksum || ':' || failed || ':'"
                + " || ledger_id FROM public.migration_state WHERE company_id = ?::uuid ORDER BY version", company);
        List<String> here = db.column("SELECT version || ':' || applied || ':' || checksum || ':' || failed || ':'"
                        + " || server_ledger_id FROM public.migration_state WHERE company_id = ?::uuid ORDER BY version",
                String.class, company);
        assertFalse(there.isEmpty(), "the server has no migration_state for the company");
        assertEquals(there, here, "migration_state at home and on the server");
        // The state's ledger_id at home points at home's copy of the step the server's state points at.
        assertEquals(0, db.queryLong("SELECT count(*) FROM public.migration_state s LEFT JOIN public.migration_ledger l"
                + " ON l.id = s.ledger_id AND l.server = ? AND l.server_step_id = s.server_ledger_id"
                + " WHERE s.company_id = ?::uuid AND l.id IS NULL", SERVER, company), "a state row points at no copied step");
    }

    /** Two more passes finish (counted in B's metrics) and leave the home ledger's rows exactly as they were. */
    private void assertLaterPassesChangeNothing(ServiceProcess b, String company) throws Exception {
        String rows = "SELECT id || ':' || server_step_id || ':' || status || ':' || xmin FROM public.migration_ledger"
                + " WHERE server = ? ORDER BY id";
        String states = "SELECT version || ':' || updated_at || ':' || xmin FROM public.migration_state"
                + " WHERE company_id = ?::uuid ORDER BY version";
        List<String> ledgerBefore = db.column(rows, String.class, SERVER);
        List<String> stateBefore = db.column(states, String.class, company);
        long copiedBefore = metric(b, "flotilla_ledger_reconcile_steps_total");
        long passes = metric(b, "flotilla_ledger_reconcile_passes_total");
        Poll.until("two more reconciliation passes", Duration.ofSeconds(30),
                () -> metric(b, "flotilla_ledger_reconcile_passes_total"), n -> n >= passes + 2, n -> logs().get());
        assertEquals(copiedBefore, metric(b, "flotilla_ledger_reconcile_steps_total"), "a later pass copied steps");
        assertEquals(ledgerBefore, db.column(rows, String.class, SERVER), "a later pass changed the home ledger");
        assertEquals(stateBefore, db.column(states, String.class, company), "a later pass changed migration_state");
    }

    /** A counter from the process's /q/metrics (Prometheus text), 0 when it is not there yet. */
    private static long metric(ServiceProcess p, String name) throws Exception {
        p.assertAlive();
        HttpResponse<String> response = p.get("/q/metrics");
        assertEquals(200, response.statusCode(), response.body());
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? ([0-9.eE+]+)$").matcher(response.body());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    private static List<String> strings(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    /** A copy of the sample catalog with versions 1..{@code last} only (and its maintenance jobs and seeds). */
    private static Path firstVersions(int last) throws IOException {
        Path source = Path.of("migrations").toAbsolutePath();
        Path target = Files.createTempDirectory("flotilla-killit-catalog");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path relative = source.relativize(file);
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target.resolve(relative));
                    continue;
                }
                Matcher version = Pattern.compile("^(?:rollback_)?(\\d+)_.*\\.sql$").matcher(file.getFileName().toString());
                boolean topLevel = relative.getNameCount() == 1;
                if (!topLevel || (version.matches() && Integer.parseInt(version.group(1)) <= last)) {
                    Files.copy(file, target.resolve(relative));
                }
            }
        }
        return target;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
