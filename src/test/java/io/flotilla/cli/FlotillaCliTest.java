package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.security.Role;
import io.flotilla.security.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing, usage and exit codes of the command line, without a service (plain JUnit). */
class FlotillaCliTest {

    static final Path TEST_KEY = Path.of("src/test/resources/jwt/jwt-private.pem").toAbsolutePath();
    static final List<String> VERBS = List.of("serve", "create", "status", "migrate", "follow", "rollback", "adopt", "lint",
            "verify", "seed", "reset", "token");

    /** One run: exit code, stdout, stderr. */
    record Run(int code, String out, String err) {
    }

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlotillaCli.run(args, env::get, Path.of("target/cli-test-no-data-dir"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(String... args) {
        return run(Map.of(), args);
    }

    @Test
    void onlyNoArgumentsOrServeAloneStartTheService() {
        assertTrue(FlotillaCli.startsService());
        assertTrue(FlotillaCli.startsService("serve"));
        for (String[] args : List.of(new String[]{"serve", "--help"}, new String[]{"create", "--name", "x"},
                new String[]{"--help"}, new String[]{"frobnicate"}, new String[]{"-Dx=y"}, new String[]{"status"})) {
            assertFalse(FlotillaCli.startsService(args), String.join(" ", args));
        }
    }

    @Test
    void anUnknownVerbPrintsTheUsageAndExits2() {
        Run r = run("frobnicate", "--name", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("flotilla: unknown verb 'frobnicate'"), r.err());
        assertTrue(r.err().contains("Usage: flotilla"), r.err());
        assertTrue(r.err().contains("Exit codes:"), r.err());
        assertEquals("", r.out(), "nothing on stdout");
    }

    @Test
    void anUnknownOptionPrintsTheVerbsUsageAndExits2() {
        Run r = run("status", "--bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown option: '--bogus'"), r.err());
        assertTrue(r.err().contains("Usage: flotilla status"), r.err());
        assertEquals("", r.out());
        assertEquals(2, run("--bogus").code(), "an unknown option before any verb");
    }

    @Test
    void missingOrInvalidValuesExit2() {
        assertEquals(2, run("rollback").code(), "rollback needs --target");
        assertEquals(2, run("verify").code(), "verify needs --company");
        assertEquals(2, run("follow").code(), "follow needs a rollout id");
        assertEquals(2, run("follow", "not-a-uuid").code());
        assertEquals(2, run("migrate", "--timeout", "forever").code());
        assertEquals(2, run("migrate", "--timeout", "0s").code());
        assertEquals(2, run("migrate", "--canary", "two").code());
        assertEquals(2, run("status", "--output", "yaml").code());
        assertEquals(2, run("create").code(), "create needs --name");
        assertEquals(2, run("seed").code(), "seed needs --company");
        assertEquals(2, run("adopt", "--all").code(), "adopt needs --server");
        Run serve = run("serve", "--port", "9000");
        assertEquals(2, serve.code(), "serve takes no options");
        assertTrue(serve.err().contains("Usage: flotilla serve"), serve.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "create", "status", "migrate", "follow", "rollback", "adopt", "lint", "verify", "seed",
            "reset", "token"})
    void everyVerbHasHelpWithTheExitCodes(String verb) {
        Run r = run(verb, "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Usage: flotilla " + verb), r.out());
        assertTrue(r.out().contains("Exit codes:"), r.out());
        for (ExitCode c : ExitCode.values()) {
            assertTrue(r.out().contains("  " + c.code() + "   "), "exit code " + c + " in\n" + r.out());
        }
        assertEquals(r.out(), run("help", verb).out(), "`help " + verb + "` says the same");
    }

    @Test
    void theUsageListsEveryVerbAndSaysVerbsSignTheirOwnToken() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String verb : VERBS) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  " + verb + " ")), verb + " in\n" + r.out());
        }
        assertTrue(r.out().contains("signs its own 10-minute token"), r.out());
        assertTrue(run("status", "--help").out().contains("10-minute token signed with"), "--token's help");
    }

    @Test
    void aUsageErrorWithOutputJsonIsAJsonEnvelopeToo() throws IOException {
        Run r = run("status", "--bogus", "--output", "json");
        assertEquals(2, r.code());
        JsonNode envelope = Output.JSON.readTree(r.out());
        assertEquals(List.of("ok", "exitCode", "verb", "data", "error"), OutputTest.fields(envelope));
        assertFalse(envelope.get("ok").asBoolean());
        assertEquals(2, envelope.get("exitCode").asInt());
        assertEquals("status", envelope.get("verb").asText());
        assertTrue(envelope.get("error").get("message").asText().contains("--bogus"), r.out());
        assertTrue(r.err().contains("Usage: flotilla status"), "the usage still goes to stderr");

        JsonNode unknownVerb = Output.JSON.readTree(run("frobnicate", "--output=json").out());
        assertEquals(2, unknownVerb.get("exitCode").asInt());
        assertTrue(unknownVerb.get("verb").isNull());
    }

    @Test
    void aServiceThatDoesNotListenExits2NamingTheUrlAndTheSetting() throws IOException {
        String url = "http://127.0.0.1:" + closedPort();
        Run r = run(Map.of("FLOTILLA_URL", url, "FLOTILLA_TOKEN", "x.y.z"), "status");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(url) && r.err().contains("FLOTILLA_URL") && r.err().contains("connection refused"), r.err());
        Run flag = run(Map.of("FLOTILLA_URL", "http://127.0.0.1:1"), "lint", "--url", url, "--token", "x.y.z");
        assertTrue(flag.err().contains(url + " (--url)"), "the flag wins over the environment: " + flag.err());
    }

    @Test
    void resetWithoutConfirmationIsRefusedBeforeAnyRequest() throws IOException {
        // A service that does not listen: a request would fail with "cannot connect"; the refusal comes first.
        Map<String, String> env = Map.of("FLOTILLA_URL", "http://127.0.0.1:" + closedPort(), "FLOTILLA_TOKEN", "x.y.z");
        Run r = run(env, "reset", "--company", "acme");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--confirm <its schema name>; nothing was sent"), r.err());
        assertFalse(r.err().contains("cannot connect"), r.err());
        assertTrue(run(env, "reset", "--company", "acme", "--confirm", "acme").err().contains("cannot connect"),
                "with the confirmation it does call the service");
    }

    @Test
    void createWritesTheNextPairIntoTheCatalogDirectoryWithoutAService(@TempDir Path dir) throws IOException {
        Path catalog = dir.resolve("tenant-migrations");
        Run first = run(Map.of("MIGRATIONS_DIR", catalog.toString()), "create", "--name", "add invoices");
        assertEquals(0, first.code(), first.err());
        assertEquals(List.of(catalog.resolve("001_add_invoices.sql").toString(),
                catalog.resolve("rollback_001_add_invoices.sql").toString()), first.out().lines().toList());
        assertTrue(Files.readString(catalog.resolve("001_add_invoices.sql")).startsWith("--"), "a commented template");

        Path flyway = Files.createDirectories(dir.resolve("flyway"));
        Files.writeString(flyway.resolve("V1_9__users.sql"), "CREATE TABLE users (id int);\n");
        Run next = run(Map.of("MIGRATIONS_DIR", catalog.toString()), "create", "--name", "add_orders", "--dir",
                flyway.toString(), "-o", "json");
        assertEquals(0, next.code(), next.err());
        JsonNode created = Output.JSON.readTree(next.out());
        assertEquals("1_10", created.get("data").get("version").asText(), next.out());
        assertEquals(flyway.resolve("V1_10__add_orders.sql").toString(), created.get("data").get("up").asText());
        assertEquals(flyway.resolve("U1_10__add_orders.sql").toString(), created.get("data").get("down").asText());

        Run bad = run(Map.of("MIGRATIONS_DIR", catalog.toString()), "create", "--name", "../escape");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("flotilla create: cannot create a migration in " + catalog), bad.err());
        try (var files = Files.list(catalog)) {
            assertEquals(2, files.count(), "nothing more written");
        }
    }

    @Test
    void aMalformedUrlExits2() {
        Run r = run(Map.of("FLOTILLA_URL", "localhost:8080"), "status");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("FLOTILLA_URL 'localhost:8080' is not an http(s) URL"), r.err());
    }

    @Test
    void tokenPrintsTheTokenAloneWithTheRoleAsked() {
        Map<String, String> env = Map.of("SMALLRYE_JWT_SIGN_KEY_LOCATION", TEST_KEY.toString());
        Run r = run(env, "token", "--role", "operator", "--ttl", "10m", "--subject", "ci");
        assertEquals(0, r.code(), r.err());
        String token = r.out().strip();
        assertEquals(1, r.out().lines().count(), "the token alone: " + r.out());
        assertTrue(token.matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+"), token);
        String claims = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        assertTrue(claims.contains("\"groups\":[\"operator\"]") && claims.contains("\"sub\":\"ci\""), claims);

        assertEquals(2, run(env, "token", "--role", "root").code());
        assertEquals(2, run(env, "token", "--ttl", "forever").code());
        Run noKey = run(Map.of(), "token");
        assertEquals(2, noKey.code());
        assertTrue(noKey.err().contains("no signing key"), noKey.err());
    }

    @Test
    void withoutATokenAVerbSignsItsOwnForItsRoleWhenTheKeyIsReadable() {
        Map<String, String> env = new HashMap<>(Map.of("SMALLRYE_JWT_SIGN_KEY_LOCATION", TEST_KEY.toString()));
        TokenSource signed = TokenSource.resolve(null, env::get, Path.of("x"), Role.ADMIN);
        assertTrue(signed.origin().startsWith("signed with "), signed.origin());
        String token = signed.current().orElseThrow();
        String claims = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        assertTrue(claims.contains("\"groups\":[\"admin\"]"), claims);
        assertEquals(token, signed.current().orElseThrow(), "kept while young");

        env.put("FLOTILLA_TOKEN", "from.the.env");
        assertEquals("from.the.env", TokenSource.resolve(null, env::get, Path.of("x"), Role.ADMIN).current().orElseThrow());
        assertEquals("from.the.flag", TokenSource.resolve("from.the.flag", env::get, Path.of("x"), Role.ADMIN).current().orElseThrow());

        TokenSource none = TokenSource.resolve(null, k -> null, Path.of("target/cli-test-no-data-dir"), Role.VIEWER);
        assertTrue(none.none());
        assertTrue(none.current().isEmpty());
        // The zero-setup key under FLOTILLA_DATA_DIR/keys, as the token verb finds it.
        Path dataDir = Path.of("target/cli-test-data-dir").toAbsolutePath();
        Tokens.ensureKeyPair(dataDir.resolve("keys"));
        assertTrue(TokenSource.resolve(null, k -> null, dataDir, Role.VIEWER).current().isPresent());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort(); // closed when this returns: nothing listens there
        }
    }
}
