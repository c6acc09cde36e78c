package io.flotilla.config;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server that cannot start says why: the tail of its own output, which otherwise goes to its file only. */
class EmbeddedDatabaseTest {

    private Path home;

    @Test
    void aFailedStartCarriesTheServersOutput() throws IOException {
        home = Files.createTempDirectory("flotilla-embedded-fail");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EmbeddedDatabase.start(home, taken.getLocalPort(), false).stop());
            String output = Files.readString(home.resolve(EmbeddedDatabase.LOG_FILE));
            assertTrue(output.contains("could not bind"), output);
            assertTrue(e.getMessage().contains("could not bind") && e.getMessage().contains(EmbeddedDatabase.LOG_FILE),
                    e.getMessage());
        }
    }

    @AfterEach
    void deleteHome() throws IOException {
        if (home == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(home)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
