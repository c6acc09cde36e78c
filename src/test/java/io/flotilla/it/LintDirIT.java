package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.config.EmbeddedDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flotilla lint --dir} as a pull request's CI job runs it: the packaged jar as a process, with no service and
 * no {@code DB_*} variable at all, so it starts an embedded PostgreSQL of its own, lints, and leaves nothing behind.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LintDirIT {

    /** Runs the jar with no DB_*, no service settings, and its own data and temporary directories. */
    static CliIT.Cli lint(Path home, Path tmp, String... args) throws IOException, InterruptedException {
        Path logs = Files.createDirectories(ServiceProcess.LOGS.resolve("cli"));
        Path out = Files.createTempFile(logs, "lint-out", ".txt");
        Path err = Files.createTempFile(logs, "lint-err", ".txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Djava.io.tmpdir=" + tmp,
                "-jar", ServiceProcess.JAR.toString(), "lint"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(name -> name.startsWith("DB_") || name.startsWith("FLOTILLA_") || name.equals("MIGRATIONS_DIR"));
        env.put("FLOTILLA_DATA_DIR", home.toString());
        long started = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("flotilla lint " + String.join(" ", args) + " still runs after 150 s");
        }
        CliIT.Cli run = new CliIT.Cli(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - started));
        System.out.printf("[it] flotilla lint %s -> %d (%d ms)%n", String.join(" ", args), run.code(), run.took().toMillis());
        return run;
    }

    @Test
    void lintsADirectoryOnAnEmbeddedPostgresWithNoDatabaseConfigured() throws Exception {
        Path home = Files.createTempDirectory("flotilla-lint-it-home");
        Path tmp = Files.createTempDirectory("flotilla-lint-it-tmp");

        // The sample catalog lints clean: exit 0, the report as JSON.
        CliIT.Cli clean = lint(home, tmp, "--dir", Path.of("migrations").toAbsolutePath().toString(), "--output", "json");
        assertEquals(0, clean.code(), clean.toString());
        JsonNode report = clean.json().get("data");
        assertTrue(report.get("ok").asBoolean(), clean.toString());
        assertTrue(report.get("tables").size() >= 5, clean.toString());
        assertEquals(0, report.get("violations").size(), clean.toString());
        assertTrue(clean.err().contains("embedded PostgreSQL up in"), clean.err());

        // A table without isolation: exit 1, the finding with its file and line.
        Path dir = Files.createDirectories(tmp.resolve("catalog"));
        Files.writeString(dir.resolve("V1__audit.sql"), "-- no tenant_id, no row-level security\n\n"
                + "CREATE TABLE audit (id bigint PRIMARY KEY, what text);\n");
        CliIT.Cli dirty = lint(home, tmp, "--dir", dir.toString());
        assertEquals(1, dirty.code(), dirty.toString());
        assertTrue(dirty.out().contains(dir.resolve("V1__audit.sql") + ":3: rls-enabled audit: "), dirty.toString());

        // Nothing left but what later runs reuse: the binaries, unpacked once, and the initdb'd template the second
        // run started from; each run's own cluster is deleted.
        try (Stream<Path> left = Files.list(tmp)) {
            List<String> names = left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("flotilla-lint-")).toList();
            assertEquals(List.of(), names, "temporary clusters left behind");
        }
        assertTrue(Files.isDirectory(home.resolve("pg-runtime")));
        assertTrue(Files.isRegularFile(home.resolve("lint-template").resolve("PG_VERSION")));
        assertFalse(Files.exists(home.resolve("pgdata")), "the service's own cluster is not made by lint");
        EmbeddedDatabase.deleteTree(home);
        EmbeddedDatabase.deleteTree(tmp);
    }
}
