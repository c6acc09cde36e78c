import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An application's traffic on every tenant while a rollout goes through the fleet (bench/traffic.sh runs it).
 *
 * Every tenant schema gets CLIENTS clients, each a loop of one short read and one short write on the table the
 * rollout alters, with a pause between; each query's latency is kept with its tenant. On the first BLOCKED tenants one
 * more session opens a transaction that reads that table and holds it until HOLD seconds after the rollout was accepted (a report query, an
 * idle-in-transaction session): what a migration's ALTER TABLE waits behind. The rollout is started over the API with
 * the strategy given, followed until it ends; then the traffic stops and the figures are printed as one JSON object.
 *
 * Connections come from a fixed pool (the server's max_connections is shared with the service), so a client that
 * waits for the pool is not counted as waiting on the database: latency is the query's own time on its connection.
 *
 * Run: java -cp postgresql.jar bench/Traffic.java JDBC_URL USER PASSWORD SERVICE_URL TOKEN SCHEMA_PREFIX N
 *      BLOCKED HOLD_SECONDS CLIENTS POOL STRATEGY_JSON
 */
public class Traffic {

    record Sample(int tenant, long startNanos, long nanos, boolean failed) {
    }

    public static void main(String[] args) throws Exception {
        String jdbc = args[0], user = args[1], password = args[2], service = args[3], token = args[4], prefix = args[5];
        int n = Integer.parseInt(args[6]), blocked = Integer.parseInt(args[7]);
        int hold = Integer.parseInt(args[8]), clientsPerTenant = Integer.parseInt(args[9]), poolSize = Integer.parseInt(args[10]);
        String strategy = args[11];

        BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(poolSize);
        for (int i = 0; i < poolSize; i++) {
            Connection c = DriverManager.getConnection(jdbc, user, password);
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("SET application_name = 'bench-app'");
            }
            pool.add(c);
        }
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int t = 1; t <= n; t++) {
            for (int k = 0; k < clientsPerTenant; k++) {
                int tenant = t;
                Thread client = daemon(() -> client(tenant, prefix, pool, samples, running));
                clients.add(client);
            }
        }
        Thread.sleep(3000); // the traffic settles before anything else happens

        // The blockers: one session per blocked tenant, a read transaction on the table, held.
        CountDownLatch holding = new CountDownLatch(blocked);
        // Each blocker holds until HOLD seconds after the rollout was accepted, not after the blocker began: on a
        // loaded machine the POST alone can take seconds, and the blockers must still hold when the rollout comes.
        CountDownLatch accepted = new CountDownLatch(1);
        AtomicLong releaseAt = new AtomicLong();
        List<Thread> blockers = new ArrayList<>();
        long blockStart = System.nanoTime();
        for (int t = 1; t <= blocked; t++) {
            int tenant = t;
            blockers.add(daemon(() -> {
                try (Connection c = DriverManager.getConnection(jdbc, user, password)) {
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        s.execute("SET application_name = 'bench-report-query'");
                        s.executeQuery("SELECT count(*) FROM " + prefix + tenant + ".messages").close();
                    }
                    holding.countDown();
                    accepted.await();
                    long left = releaseAt.get() - System.nanoTime();
                    if (left > 0) {
                        Thread.sleep(left / 1_000_000L);
                    }
                    c.commit();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        holding.await();

        HttpClient http = HttpClient.newHttpClient();
        long rolloutStart = System.nanoTime();
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(service + "/api/v1/rollouts"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"strategy\": " + strategy + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() != 202) {
            accepted.countDown();
            throw new IllegalStateException("POST /rollouts answered " + started.statusCode() + ": " + started.body());
        }
        releaseAt.set(System.nanoTime() + hold * 1_000_000_000L);
        accepted.countDown();
        String id = field(started.body(), "id");
        String state;
        do {
            Thread.sleep(200);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service + "/api/v1/rollouts/" + id))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            state = field(r.body(), "state");
        } while (state.equals("pending") || state.equals("running") || state.equals("paused"));
        double rolloutSeconds = (System.nanoTime() - rolloutStart) / 1e9;
        for (Thread b : blockers) {
            b.join();
        }
        Thread.sleep(2000);
        running.set(false);
        for (Thread c : clients) {
            c.join(60_000);
        }

        // Per tenant and overall, only the queries that started after the blockers did (the time that matters).
        Map<Integer, List<Long>> byTenant = new ConcurrentHashMap<>();
        long failures = 0;
        for (Sample s : samples) {
            if (s.startNanos() < blockStart) {
                continue;
            }
            if (s.failed()) {
                failures++;
            }
            byTenant.computeIfAbsent(s.tenant(), k -> new ArrayList<>()).add(s.nanos());
        }
        List<Long> all = new ArrayList<>(), blockedAll = new ArrayList<>(), freeAll = new ArrayList<>();
        double worstBlockedMax = 0, worstFreeMax = 0;
        for (Map.Entry<Integer, List<Long>> e : byTenant.entrySet()) {
            all.addAll(e.getValue());
            double max = percentile(e.getValue(), 1.0);
            if (e.getKey() <= blocked) {
                blockedAll.addAll(e.getValue());
                worstBlockedMax = Math.max(worstBlockedMax, max);
            } else {
                freeAll.addAll(e.getValue());
                worstFreeMax = Math.max(worstFreeMax, max);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rollout", id);
        out.put("state", state);
        out.put("rollout_seconds", round(rolloutSeconds));
        out.put("queries", all.size());
        out.put("query_failures", failures);
        out.put("all", stats(all));
        out.put("blocked_tenants", stats(blockedAll));
        out.put("free_tenants", stats(freeAll));
        out.put("worst_blocked_tenant_max_ms", round(worstBlockedMax));
        out.put("worst_free_tenant_max_ms", round(worstFreeMax));
        System.out.println(json(out));
        for (Connection c : pool) {
            c.close();
        }
    }

    static void client(int tenant, String prefix, BlockingQueue<Connection> pool, ConcurrentLinkedQueue<Sample> samples,
                       AtomicBoolean running) {
        String table = prefix + tenant + ".messages";
        String read = "SELECT id, content FROM " + table + " ORDER BY created_at DESC LIMIT 5";
        String write = "INSERT INTO " + table + " (conversation_id, tenant_id, role, content)"
                + " SELECT conversation_id, tenant_id, 'user', 'hello' FROM " + table + " LIMIT 1";
        while (running.get()) {
            for (String sql : new String[]{read, write}) {
                Connection c;
                try {
                    c = pool.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (c == null) {
                    continue;
                }
                long start = System.nanoTime();
                boolean failed = false;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    if (ps.execute()) {
                        try (ResultSet rs = ps.getResultSet()) {
                            while (rs.next()) {
                                rs.getString(1);
                            }
                        }
                    }
                } catch (SQLException e) {
                    failed = true;
                } finally {
                    samples.add(new Sample(tenant, start, System.nanoTime() - start, failed));
                    pool.add(c);
                }
            }
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(50, 150));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static Thread daemon(Runnable body) {
        Thread t = new Thread(body);
        t.setDaemon(true);
        t.start();
        return t;
    }

    static Map<String, Object> stats(List<Long> nanos) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("count", nanos.size());
        s.put("p50_ms", round(percentile(nanos, 0.50)));
        s.put("p99_ms", round(percentile(nanos, 0.99)));
        s.put("max_ms", round(percentile(nanos, 1.0)));
        return s;
    }

    static double percentile(List<Long> nanos, double p) {
        if (nanos.isEmpty()) {
            return 0;
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        int at = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, at))] / 1e6;
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    @SuppressWarnings("unchecked")
    static String json(Object v) {
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            ((Map<String, Object>) m).forEach((k, x) -> parts.add("\"" + k + "\": " + json(x)));
            return "{" + String.join(", ", parts) + "}";
        }
        if (v instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        return String.valueOf(v);
    }
}
