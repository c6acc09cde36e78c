package io.flotilla.testsupport;

import io.flotilla.security.Role;
import io.flotilla.security.Tokens;
import io.restassured.RestAssured;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;

/**
 * Tokens signed with the test key pair in src/test/resources/jwt (test-only keys, committed on purpose): the
 * test profile verifies with its public half, and process-level ITs hand both halves to the service they start.
 */
public final class TestTokens {

    public static final Path PUBLIC_KEY = Path.of("src/test/resources/jwt/jwt-public.pem").toAbsolutePath();
    public static final Path PRIVATE_KEY = Path.of("src/test/resources/jwt/jwt-private.pem").toAbsolutePath();
    /** A key the service does not trust. */
    public static final Path OTHER_PRIVATE_KEY = Path.of("src/test/resources/jwt/other-private.pem").toAbsolutePath();

    private TestTokens() {
    }

    public static String token(Role role) {
        return sign(PRIVATE_KEY, role, Duration.ofHours(1));
    }

    public static String admin() {
        return token(Role.ADMIN);
    }

    public static String sign(Path key, Role role, Duration ttl) {
        PrivateKey privateKey = Tokens.readPrivateKey(key);
        return Tokens.sign(privateKey, Tokens.DEFAULT_ISSUER, "test-" + role.value(), role, ttl);
    }

    private static volatile boolean installed;

    /**
     * Every REST Assured call of the in-process tests goes as admin unless it sets its own Authorization header.
     * A filter, not a request specification: a specification would pin the port before Quarkus has chosen it.
     */
    public static synchronized void useAdminByDefault() {
        if (installed) {
            return;
        }
        String header = "Bearer " + admin();
        RestAssured.filters((request, response, context) -> {
            if (!request.getHeaders().hasHeaderWithName("Authorization")) {
                request.header("Authorization", header);
            }
            return context.next(request, response);
        });
        installed = true;
    }
}
