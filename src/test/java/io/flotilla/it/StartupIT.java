package io.flotilla.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the packaged service starts: refusing without a verify key, and the zero-setup start with its own keys. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StartupIT extends ProcessTestSupport {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void withADatabaseButNoVerifyKeyTheServiceRefusesToStartAndSaysWhy() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", null);
        ServiceProcess p = ServiceProcess.start("it-nokey", "StartupIT-nokey", db, env);
        processes.add(p);
        int exit = p.awaitExit(Duration.ofSeconds(90));
        assertNotEquals(-1, exit, "it should not keep running" + logs().get());
        assertNotEquals(0, exit);
        assertTrue(p.logTail(200).contains("No key to verify API tokens with: set MP_JWT_VERIFY_PUBLICKEY_LOCATION"),
                p.logTail(40));
    }

    @Test
    void theZeroSetupStartMakesKeysAndPrintsAnAdminTokenThatWorks() throws Exception {
        Path data = Files.createTempDirectory("flotilla-zero-setup");
        Map<String, String> env = new HashMap<>();
        env.put("DB_HOST", null);
        env.put("DB_PORT", null);
        env.put("DB_NAME", null);
        env.put("DB_USER", null);
        env.put("DB_PASSWORD", null);
        env.put("FLOTILLA_EMBEDDED_DB", null);
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", null);
        env.put("SMALLRYE_JWT_SIGN_KEY_LOCATION", null);
        env.put("FLOTILLA_DATA_DIR", data.toString());
        ServiceProcess p = started("it-zero", env);
        assertTrue(Files.isRegularFile(data.resolve("keys/jwt-public.pem")) && Files.isRegularFile(data.resolve("keys/jwt-private.pem")));
        Matcher printed = Pattern.compile("admin token[^\\n]*\\n(ey[\\w-]+\\.[\\w-]+\\.[\\w-]+)").matcher(p.logTail(400));
        assertTrue(printed.find(), "no admin token printed:\n" + p.logTail(60));
        URI fleet = URI.create("http://127.0.0.1:" + p.port() + "/api/v1/fleet");
        HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(fleet).header("Authorization", "Bearer " + printed.group(1))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(401, HTTP.send(HttpRequest.newBuilder(fleet).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
