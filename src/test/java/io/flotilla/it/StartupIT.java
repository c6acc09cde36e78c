package io.flotilla.it;

import io.flotilla.config.EmbeddedDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the packaged service starts: refusing without a verify key, and the zero-setup start with its own keys (made
 * once, owner-only, the admin token printed by that start only) and a log that is the service's, not initdb's.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StartupIT extends ProcessTestSupport {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Pattern JWT = Pattern.compile("ey[\\w-]+\\.ey[\\w-]+\\.[\\w-]+");
    private static final String LISTENING = "Embedded PostgreSQL listening on";
    private static final String MINT = "bin/flotilla token --role admin --ttl 1h";

    @Test
    void withADatabaseButNoVerifyKeyTheServiceRefusesToStartAndSaysWhy() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", null);
        // The default location is the zero-setup key under the data directory: an empty one has none.
        env.put("FLOTILLA_DATA_DIR", Files.createTempDirectory("flotilla-no-keys").toString());
        ServiceProcess p = ServiceProcess.start("it-nokey", "StartupIT-nokey", db, env);
        processes.add(p);
        int exit = p.awaitExit(Duration.ofSeconds(90));
        assertNotEquals(-1, exit, "it should not keep running" + logs().get());
        assertNotEquals(0, exit);
        assertTrue(p.logTail(200).contains("No key to verify API tokens with: set MP_JWT_VERIFY_PUBLICKEY_LOCATION"),
                p.logTail(40));
    }

    @Test
    void theZeroSetupStartMakesKeysOncePrintsTheAdminTokenOnceAndKeepsInitdbOutOfTheLog() throws Exception {
        Path data = Files.createTempDirectory("flotilla-zero-setup");
        Map<String, String> env = zeroSetup(data);
        Path keys = data.resolve("keys");
        Path privateKey = keys.resolve("jwt-private.pem");
        Path publicKey = keys.resolve("jwt-public.pem");

        // First start: makes the key pair, owner-only, and prints an admin token once; no private key in the log.
        ServiceProcess first = started("it-zero", env);
        String firstLog = Files.readString(first.logFile(), StandardCharsets.UTF_8);
        assertTrue(Files.isRegularFile(publicKey) && Files.isRegularFile(privateKey), "no key pair in " + keys);
        assertEquals("rwx------", permissions(keys));
        assertEquals("rw-------", permissions(privateKey));
        assertEquals("rw-------", permissions(publicKey));
        assertFalse(firstLog.contains("PRIVATE KEY"), "a private key in the log:\n" + first.logTail(60));
        Matcher printed = Pattern.compile("admin token[^\\n]*\\n(" + JWT.pattern() + ")").matcher(firstLog);
        assertTrue(printed.find(), "no admin token printed:\n" + first.logTail(60));
        String printedToken = printed.group(1);
        assertEquals(1, JWT.matcher(firstLog).results().count(), "the token must be printed exactly once:\n" + firstLog);
        assertEquals(200, fleet(first, printedToken).statusCode());
        assertEquals(401, fleet(first, null).statusCode());

        // The log before the service says where PostgreSQL listens is not the server's chatter, which has its file.
        assertStartupLogIsTheServices(firstLog, data);
        String serverOutput = Files.readString(data.resolve(EmbeddedDatabase.LOG_FILE), StandardCharsets.UTF_8);
        assertTrue(serverOutput.contains("The files belonging to this database system")
                && serverOutput.contains("database system is ready to accept connections"), serverOutput);

        assertNotEquals(-1, first.terminate(Duration.ofSeconds(60)), "the first start did not stop\n" + first.logTail(40));

        // Loosened by hand (or made by an older version): the next start tightens them again.
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(publicKey, PosixFilePermissions.fromString("rw-r--r--"));

        // Second start on the same data: the same keys, no token printed, a line saying how to mint one, which works.
        ServiceProcess second = started("it-zero-again", env);
        String secondLog = Files.readString(second.logFile(), StandardCharsets.UTF_8);
        assertEquals("rwx------", permissions(keys));
        assertEquals("rw-------", permissions(privateKey));
        assertEquals("rw-------", permissions(publicKey));
        assertFalse(JWT.matcher(secondLog).find(), "a token printed on a later start:\n" + second.logTail(60));
        assertFalse(secondLog.contains("PRIVATE KEY"), second.logTail(60));
        assertTrue(secondLog.contains(MINT), "no hint how to mint a token:\n" + second.logTail(60));
        assertStartupLogIsTheServices(secondLog, data);
        String minted = tokenCommand(data);
        assertEquals(200, fleet(second, minted).statusCode(), "the token command's token");
        assertEquals(200, fleet(second, printedToken).statusCode(), "the first start's token, same keys");
    }

    /** No variable pointing at a database or a key: what a newcomer has. */
    private static Map<String, String> zeroSetup(Path data) {
        Map<String, String> env = new HashMap<>();
        for (String name : List.of("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "FLOTILLA_EMBEDDED_DB",
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", "SMALLRYE_JWT_SIGN_KEY_LOCATION")) {
            env.put(name, null);
        }
        env.put("FLOTILLA_DATA_DIR", data.toString());
        return env;
    }

    private static void assertStartupLogIsTheServices(String log, Path data) {
        List<String> lines = log.lines().toList();
        List<String> listening = lines.stream().filter(l -> l.contains(LISTENING)).toList();
        assertEquals(1, listening.size(), "one line says where PostgreSQL listens:\n" + log);
        assertTrue(listening.get(0).contains(" INFO ") && listening.get(0).contains(data.resolve(EmbeddedDatabase.LOG_FILE).toString()),
                "it is INFO and names the server's log file: " + listening.get(0));
        String before = String.join("\n", lines.subList(0, lines.indexOf(listening.get(0))));
        for (String chatter : List.of("The files belonging to this database system", "pg_ctl", "initdb",
                "waiting for server to start", "database system is ready", "io.zonky")) {
            assertFalse(before.contains(chatter), "'" + chatter + "' in the service's log before it listens:\n" + before);
        }
    }

    /** {@code java -jar quarkus-run.jar token --role admin --ttl 1h}, as the README's Quick start and the later starts say. */
    private static String tokenCommand(Path data) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-jar", ServiceProcess.JAR.toString(), "token", "--role", "admin",
                "--ttl", "1h");
        pb.environment().remove("SMALLRYE_JWT_SIGN_KEY_LOCATION");
        pb.environment().remove("MP_JWT_VERIFY_ISSUER");
        pb.environment().put("FLOTILLA_DATA_DIR", data.toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the token command did not end");
        assertEquals(0, process.exitValue(), out);
        assertTrue(JWT.matcher(out).matches(), "not a token: " + out);
        return out;
    }

    private static HttpResponse<String> fleet(ServiceProcess p, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port() + "/api/v1/fleet"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
