package io.flotilla.server;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where passwords come from, and that no failure ever says one. */
class ServerCredentialsTest {

    private static Server.Connection connection(String env, String file) {
        return new Server.Connection("db.example", 5432, "tenants", "flotilla", TlsMode.PREFER, env, file, 4);
    }

    @Test
    void validatesTheSourceAsARequestGivesIt() {
        assertDoesNotThrow(() -> ServerCredentials.validate(null, null));
        assertDoesNotThrow(() -> ServerCredentials.validate("PG_EU_1_PASSWORD", null));
        assertDoesNotThrow(() -> ServerCredentials.validate(null, "/var/run/secrets/eu/password"));
        Map<String, String[]> bad = Map.of(
                "passwordFrom", new String[]{"A", "/x"},
                "passwordFrom.env", new String[]{"1A", null},
                "passwordFrom.file", new String[]{null, "secrets/password"});
        bad.forEach((field, source) -> {
            FlotillaException e = assertThrows(FlotillaException.class,
                    () -> ServerCredentials.validate(source[0], source[1]));
            assertEquals(ErrorCode.INVALID_SERVER, e.code());
            assertEquals(field, e.extensions().get("field"));
        });
        assertThrows(FlotillaException.class, () -> ServerCredentials.validate("A-B", null));
        assertThrows(FlotillaException.class, () -> ServerCredentials.validate("A B", null));
    }

    @Test
    void readsTheVariableOrTheFileWithoutItsTrailingNewline() throws IOException {
        ServerCredentials credentials = new ServerCredentials(Map.of("PW", "s3cret")::get);
        assertEquals("s3cret", credentials.password(connection("PW", null)));
        assertNull(credentials.password(connection(null, null)));
        Path file = Files.createTempFile("flotilla-pw", ".txt");
        try {
            Files.writeString(file, " spaced secret \n");
            assertEquals(" spaced secret ", credentials.password(connection(null, file.toString())));
            Files.writeString(file, "crlf\r\n");
            assertEquals("crlf", credentials.password(connection(null, file.toString())));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aMissingSourceIsNamedNeverItsValue() throws IOException {
        ServerCredentials credentials = new ServerCredentials(Map.of("OTHER", "s3cret")::get);
        FlotillaException env = assertThrows(FlotillaException.class, () -> credentials.password(connection("PW", null)));
        assertEquals(ErrorCode.SERVER_CREDENTIALS, env.code());
        assertTrue(env.getMessage().contains("PW"), env.getMessage());
        FlotillaException file = assertThrows(FlotillaException.class,
                () -> credentials.password(connection(null, "/nonexistent/flotilla/pw")));
        assertTrue(file.getMessage().contains("/nonexistent/flotilla/pw") && file.getMessage().contains("does not exist"),
                file.getMessage());
        assertFalse(env.getMessage().contains("s3cret") || file.getMessage().contains("s3cret"));
    }
}
