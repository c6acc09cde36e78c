package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import io.flotilla.testsupport.Ports;
import io.flotilla.testsupport.TestTokens;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) running as a separate JVM, its output in
 * {@code target/it-logs/<log>.log}.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    public static final Path LOGS = Path.of("target", "it-logs").toAbsolutePath();
    public static final ObjectMapper JSON = new ObjectMapper();

    /** The processes trust the test key pair; the ITs act as admin. */
    private static final String AUTHORIZATION = "Bearer " + TestTokens.admin();

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;
    private final long startedAt = System.nanoTime();

    private ServiceProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts the service as instance {@code name} (its {@code executed_by}) on a free port against {@code db};
     * {@code extraEnv} overrides the defaults (poll interval 300 ms); a null value removes the variable.
     */
    public static ServiceProcess start(String name, String logName, ItDatabase db, Map<String, String> extraEnv)
            throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: run `mvn -DskipTests package` first");
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve(logName + ".log");
        int port = Ports.free();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-jar", JAR.toString());
        Map<String, String> env = pb.environment();
        env.putAll(db.env());
        env.put("PORT", Integer.toString(port));
        env.put("MIGRATIONS_DIR", Path.of("migrations").toAbsolutePath().toString());
        env.put("FLOTILLA_EXECUTION_INSTANCE_NAME", name);
        env.put("FLOTILLA_ROLLOUT_POLL_INTERVAL", "300ms");
        env.put("FLOTILLA_EMBEDDED_DB", "false");
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", TestTokens.PUBLIC_KEY.toString());
        env.put("SMALLRYE_JWT_SIGN_KEY_LOCATION", TestTokens.PRIVATE_KEY.toString());
        extraEnv.forEach((key, value) -> {
            if (value == null) {
                env.remove(key);
            } else {
                env.put(key, value);
            }
        });
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        pb.directory(Path.of("").toAbsolutePath().toFile());
        Process process = pb.start();
        System.out.printf("[it] started %s (pid %d) on port %d, log %s%n", name, process.pid(), port, log);
        return new ServiceProcess(name, port, log, process);
    }

    public String name() {
        return name;
    }

    /** The exit code once the process has ended within {@code timeout}, or -1 if it still runs. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Polls /q/health/ready until 200; fails with the log's tail if the process exits or the time runs out. */
    public ServiceProcess awaitReady(Duration timeout) throws InterruptedException {
        Poll.until(name + " to be ready", timeout, () -> {
            assertAlive();
            return get("/q/health/ready").statusCode();
        }, status -> status == 200, x -> logTail(60));
        System.out.printf("[it] %s ready after %d ms%n", name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
        return this;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).header("Authorization", AUTHORIZATION).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json").header("Authorization", AUTHORIZATION)
                        .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** GET /api/v1/rollouts/{id}, parsed; fails on anything but 200. */
    public JsonNode rollout(String id) throws IOException, InterruptedException {
        assertAlive();
        HttpResponse<String> response = get("/api/v1/rollouts/" + id);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET rollout " + id + " on " + name + ": " + response.statusCode() + " "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    /**
     * Fails at once (not a retryable exception: {@link Poll} lets errors through) when the process has exited
     * without the test stopping it, e.g. 143 = SIGTERM from outside.
     */
    public void assertAlive() {
        if (!process.isAlive()) {
            throw new AssertionFailedError(name + " (pid " + process.pid() + ") exited unexpectedly with code "
                    + process.exitValue() + (process.exitValue() == 143 ? " (SIGTERM: stopped from outside the test?)" : "")
                    + "\n" + logTail(60));
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    /** kill -9, then wait for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        System.out.printf("[it] killed %s (pid %d) with SIGKILL%n", name, process.pid());
    }

    /** The process's output (stdout and stderr). */
    public Path logFile() {
        return log;
    }

    /** The last {@code lines} lines of the process's output. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "---- last " + Math.min(lines, all.size()) + " lines of " + log + " ----\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Ends the process if it still runs: a graceful stop first, then SIGKILL. */
    /** SIGTERM, as Kubernetes sends it; the exit code, or -1 if it is still running after {@code timeout}. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Tails of several processes' logs, for assertion messages. */
    public static String logs(List<ServiceProcess> processes, int lines) {
        StringBuilder sb = new StringBuilder();
        for (ServiceProcess p : processes) {
            if (p != null) {
                sb.append('\n').append(p.logTail(lines));
            }
        }
        return sb.toString();
    }
}
