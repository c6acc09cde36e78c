package io.flotilla.move;

import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.ExtraServers;
import io.flotilla.testsupport.MoveCatalogProfile;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Moves between embedded servers: two with wal_level=logical (LOGICAL_A, LOGICAL_B) and one at the default
 * wal_level=replica (PLAIN). A company is moved by logical replication while a writer inserts and updates rows and a
 * reader reads, both following the company's location; a copy moves one off the plain server; a drifted one is
 * refused. Ordered: the first test registers the servers.
 */
@QuarkusTest
@TestProfile(MoveCatalogProfile.class)
@WithTestResource(PostgresResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MoveTest {

    static final String[] NAMES = {Sql.unique("mva"), Sql.unique("mvb"), Sql.unique("mvc")};
    static final int A = 0;
    static final int B = 1;
    static final int PLAIN = 2;

    static ExtraServers logical;
    static ExtraServers plain;

    @Inject
    DataSource ds;

    @BeforeAll
    static void start() {
        TestTokens.useAdminByDefault();
        logical = ExtraServers.start(Map.of("wal_level", "logical"), "pw-a-" + UUID.randomUUID(), "pw-b-" + UUID.randomUUID());
        plain = ExtraServers.start("pw-c-" + UUID.randomUUID());
    }

    @AfterAll
    static void stop() {
        DataSource home = Arc.container().instance(DataSource.class).get();
        for (String name : NAMES) {
            Sql.execute(home, "DELETE FROM public.company_moves WHERE source = ? OR target = ?", name, name);
        }
        ExtraServers.forget(home, NAMES);
        if (logical != null) {
            logical.close();
        }
        if (plain != null) {
            plain.close();
        }
    }

    static ExtraServers servers(int i) {
        return i == PLAIN ? plain : logical;
    }

    static int local(int i) {
        return i == PLAIN ? 0 : i;
    }

    static List<String> on(int i, String sql, Object... params) {
        return servers(i).column(local(i), sql, params);
    }

    static Connection connect(int i) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", ExtraServers.USER);
        p.setProperty("password", servers(i).password(local(i)));
        // Each statement parsed anew: a statement waiting on the pause's lock looks its table up again after it.
        p.setProperty("prepareThreshold", "0");
        return DriverManager.getConnection(ExtraServers.url(servers(i).port(local(i))), p);
    }

    static String onboard(int server) {
        String schema = Sql.unique("mv");
        return given().contentType(ContentType.JSON).body(Map.of("companyName", "Co " + schema, "schemaName", schema,
                        "server", NAMES[server]))
                .when().post("/api/v1/companies").then().statusCode(201).extract().path("id");
    }

    static Response move(String company, String server, Boolean allowCopy) {
        Map<String, Object> body = new HashMap<>(Map.of("server", server));
        if (allowCopy != null) {
            body.put("allowCopy", allowCopy);
        }
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/companies/{id}/move", company);
    }

    static Response awaitEnd(String move) {
        Await.until("move " + move + " to end", () -> List.of("done", "failed", "cancelled")
                .contains(given().get("/api/v1/moves/{id}", move).then().statusCode(200).extract().<String>path("phase")));
        return given().get("/api/v1/moves/{id}", move);
    }

    String schemaOf(String company) {
        return Sql.column(ds, "SELECT schema_name FROM public.companies WHERE id = ?::uuid", company).get(0);
    }

    String serverOf(String company) {
        return Sql.column(ds, "SELECT server FROM public.companies WHERE id = ?::uuid", company).get(0);
    }

    static void noReplicationLeft() {
        for (int i : new int[]{A, B}) {
            assertEquals(List.of("0"), on(i, "SELECT count(*) FROM pg_replication_slots"), "slots on " + NAMES[i]);
            assertEquals(List.of("0"), on(i, "SELECT count(*) FROM pg_publication"), "publications on " + NAMES[i]);
            assertEquals(List.of("0"), on(i, "SELECT count(*) FROM pg_subscription"), "subscriptions on " + NAMES[i]);
        }
    }

    @Test
    @Order(1)
    void registersServers() {
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON).body(Map.of("name", NAMES[i], "host", "127.0.0.1",
                            "port", servers(i).port(local(i)), "database", ExtraServers.DATABASE, "user", ExtraServers.USER,
                            "connectionBudget", 6, "passwordFrom", Map.of("file", servers(i).passwordFile(local(i)).toString())))
                    .when().post("/api/v1/servers").then().statusCode(201);
        }
    }

    /** Writes that committed, as the writer saw them acknowledged. */
    static final class Acked {
        final Map<Long, Integer> updates = new ConcurrentHashMap<>();
        final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicLong reads = new AtomicLong();
        final AtomicLong switches = new AtomicLong();
        final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    }

    /**
     * Inserts an item and its event, and every third time updates an older item, on the server the company's location
     * names; a statement refused because the schema is gone (the move renamed it) asks the location again and retries.
     */
    void write(String company, String schema, AtomicBoolean stop, Acked acked) {
        int i = 0;
        Connection c = null;
        String server = null;
        try {
            while (!stop.get()) {
                if (c == null) {
                    server = serverOf(company);
                    c = connect(List.of(NAMES).indexOf(server));
                }
                try {
                    long id;
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO \"" + schema
                            + "\".items (n, note) VALUES (?, 'w') RETURNING id")) {
                        s.setInt(1, i);
                        try (ResultSet r = s.executeQuery()) {
                            r.next();
                            id = r.getLong(1);
                        }
                    }
                    acked.updates.put(id, 0);
                    String kind = "w" + i;
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO \"" + schema
                            + "\".events (item_id, kind) VALUES (?, ?)")) {
                        s.setLong(1, id);
                        s.setString(2, kind);
                        s.executeUpdate();
                    }
                    acked.events.add(kind);
                    if (i % 3 == 0) {
                        long older = id - 1;
                        try (PreparedStatement s = c.prepareStatement("UPDATE \"" + schema
                                + "\".items SET updated = updated + 1 WHERE id = ?")) {
                            s.setLong(1, older);
                            if (s.executeUpdate() == 1) {
                                acked.updates.computeIfPresent(older, (k, v) -> v + 1);
                            }
                        }
                    }
                    i++;
                } catch (SQLException e) {
                    // 42P01 / 3F000: the schema was renamed away at the cut-over; follow the location.
                    if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                        acked.errors.add(e.getSQLState() + " " + e.getMessage());
                    }
                    c.close();
                    c = null;
                    acked.switches.incrementAndGet();
                }
            }
        } catch (SQLException e) {
            acked.errors.add("writer: " + e.getMessage());
        } finally {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException ignored) {
                // closing
            }
        }
    }

    void read(String company, String schema, AtomicBoolean stop, Acked acked) {
        Connection c = null;
        try {
            while (!stop.get()) {
                if (c == null) {
                    c = connect(List.of(NAMES).indexOf(serverOf(company)));
                }
                try (Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("SELECT count(*) FROM \"" + schema + "\".items")) {
                    r.next();
                    acked.reads.incrementAndGet();
                } catch (SQLException e) {
                    if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                        acked.errors.add("reader: " + e.getSQLState() + " " + e.getMessage());
                    }
                    c.close();
                    c = null;
                }
            }
        } catch (SQLException e) {
            acked.errors.add("reader: " + e.getMessage());
        } finally {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException ignored) {
                // closing
            }
        }
    }

    @Test
    @Order(2)
    void movesByLogicalReplicationUnderWritesAndReads() throws Exception {
        String company = onboard(A);
        String schema = schemaOf(company);
        // Back to version 2, so that a rollout after the move has something to do on the target.
        String down = given().contentType(ContentType.JSON).body(Map.of("direction", "down", "targetVersion", "2",
                "companyIds", List.of(company))).when().post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("the rollback", () -> "succeeded".equals(given().get("/api/v1/rollouts/{id}", down)
                .then().extract().path("state")));
        // Some rows before the move, for the initial copy.
        try (Connection c = connect(A); Statement s = c.createStatement()) {
            s.execute("INSERT INTO \"" + schema + "\".items (n, note) SELECT g, 'before' FROM generate_series(1, 5000) g");
            s.execute("INSERT INTO \"" + schema + "\".events (item_id, kind) SELECT g, 'before' FROM generate_series(1, 5000) g");
        }
        Acked acked = new Acked();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> write(company, schema, stop, acked), "move-writer");
        Thread reader = new Thread(() -> read(company, schema, stop, acked), "move-reader");
        writer.start();
        reader.start();
        Await.until("some writes", () -> acked.events.size() > 50);

        Response started = move(company, NAMES[B], false);
        started.then().statusCode(202);
        assertEquals("logical", started.path("method"));
        String moveId = started.path("id");
        assertEquals(moveId, given().get("/api/v1/companies/{id}/location", company).then().statusCode(200)
                .extract().path("moving.id"));
        Response end = awaitEnd(moveId);
        assertEquals("done", end.path("phase"), end.asString());
        // The writer finds the company on the target and goes on there for a while.
        long atEnd = acked.events.size();
        Await.until("writes on the target", () -> acked.events.size() > atEnd + 50);
        stop.set(true);
        writer.join(30_000);
        reader.join(30_000);
        assertEquals(List.of(), acked.errors);
        assertTrue(acked.switches.get() >= 1, "the writer followed the company");
        assertTrue(acked.reads.get() > 0);

        // Location: the target, without a password, nothing moving.
        Response location = given().get("/api/v1/companies/{id}/location", company);
        location.then().statusCode(200);
        assertEquals(NAMES[B], location.path("server"));
        assertEquals(logical.port(B), (int) location.path("port"));
        assertEquals(schema, location.path("schema"));
        assertEquals((Object) null, location.path("moving"));
        assertFalse(location.asString().contains(logical.password(A)));
        assertFalse(location.asString().contains(logical.password(B)));

        // Every acknowledged write is on the target exactly once, with its updates.
        Map<Long, Integer> there = new HashMap<>();
        try (Connection c = connect(B); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id, updated FROM \"" + schema + "\".items WHERE note = 'w'")) {
            while (r.next()) {
                there.put(r.getLong(1), r.getInt(2));
            }
        }
        assertEquals(acked.updates, there);
        List<String> events = on(B, "SELECT kind FROM \"" + schema + "\".events WHERE kind <> 'before' ORDER BY kind");
        assertEquals(acked.events.stream().sorted().toList(), events);
        assertEquals(List.of("5000"), on(B, "SELECT count(*) FROM \"" + schema + "\".events WHERE kind = 'before'"));
        // The migration's own row came across once, not again from the structure's build.
        assertEquals(List.of("1"), on(B, "SELECT count(*) FROM \"" + schema + "\".items WHERE note = 'seeded by 001'"));
        // The sequence goes on past every row.
        String next = on(B, "INSERT INTO \"" + schema + "\".items (n) VALUES (-1) RETURNING id").get(0);
        long max = Long.parseLong(on(B, "SELECT max(id) FROM \"" + schema + "\".items WHERE n <> -1").get(0));
        assertTrue(Long.parseLong(next) > max, next + " after " + max);
        // The materialized view was refreshed on the target at the cut-over: it counts the copied rows.
        assertTrue(Long.parseLong(on(B, "SELECT items FROM \"" + schema + "\".item_totals").get(0)) > 5000);

        // The source schema is renamed, its replica identity restored; nothing of the replication is left.
        String renamed = end.path("renamedTo");
        assertNotNull(renamed);
        assertEquals(List.of(), on(A, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema));
        assertEquals(List.of(renamed), on(A, "SELECT nspname FROM pg_namespace WHERE nspname = ?", renamed));
        assertEquals(List.of("d"), on(A, "SELECT relreplident::text FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND relname = 'events'", renamed));
        noReplicationLeft();
        long pause = ((Number) end.path("pauseMs")).longValue();
        System.out.printf("logical move: pause %d ms, %s rows, %d writes acknowledged%n", pause, end.path("rowsCopied"),
                acked.events.size());
        assertTrue(pause < 10_000, "pause " + pause);

        // The next rollout runs on the target and the schema verifies there.
        String up = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(company)))
                .when().post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("the rollout", () -> "succeeded".equals(given().get("/api/v1/rollouts/{id}", up)
                .then().extract().path("state")));
        assertEquals(List.of("items_n_idx"), on(B, "SELECT indexname FROM pg_indexes WHERE schemaname = ?"
                + " AND indexname = 'items_n_idx'", schema));
        given().get("/api/v1/companies/{id}/verify", company).then().statusCode(200)
                .body("ok", org.hamcrest.Matchers.equalTo(true));
        given().get("/api/v1/moves?companyId=" + company).then().statusCode(200)
                .body("[0].id", org.hamcrest.Matchers.equalTo(moveId));
    }

    @Test
    @Order(3)
    void copiesWhereTheSourceHasNoLogicalWal() throws Exception {
        String company = onboard(PLAIN);
        String schema = schemaOf(company);
        try (Connection c = connect(PLAIN); Statement s = c.createStatement()) {
            s.execute("INSERT INTO \"" + schema + "\".items (n, note, updated) SELECT g, 'row ' || g, g % 7"
                    + " FROM generate_series(1, 3000) g");
            s.execute("INSERT INTO \"" + schema + "\".events (item_id, kind) SELECT g, 'e' FROM generate_series(1, 3000) g");
        }
        // Refused when a copy is not accepted, and nothing recorded.
        Response refused = move(company, NAMES[A], false);
        refused.then().statusCode(409).contentType("application/problem+json");
        assertTrue(refused.asString().contains("wal_level"), refused.asString());
        assertEquals(0L, Sql.count(ds, "SELECT count(*) FROM public.company_moves WHERE company_id = ?::uuid", company));

        Response started = move(company, NAMES[A], null);
        started.then().statusCode(202);
        assertEquals("copy", started.path("method"));
        assertTrue(((Number) started.path("estimatedBytes")).longValue() > 0);
        Response end = awaitEnd(started.path("id"));
        assertEquals("done", end.path("phase"), end.asString());
        assertEquals(NAMES[A], serverOf(company));
        assertEquals(on(PLAIN, "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM \"" + end.path("renamedTo")
                        + "\".items t"),
                on(A, "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM \"" + schema + "\".items t"));
        assertEquals(List.of("3000"), on(A, "SELECT count(*) FROM \"" + schema + "\".events"));
        String next = on(A, "INSERT INTO \"" + schema + "\".items (n) VALUES (-1) RETURNING id").get(0);
        assertEquals("3002", next); // 3000 rows and the migration's own
        noReplicationLeft();
    }

    @Test
    @Order(4)
    void refusesADriftedCompany() throws Exception {
        String company = onboard(A);
        String schema = schemaOf(company);
        try (Connection c = connect(A); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE \"" + schema + "\".by_hand (x int)");
        }
        Response refused = move(company, NAMES[B], null);
        refused.then().statusCode(422).contentType("application/problem+json");
        assertTrue(refused.asString().contains("by_hand"), refused.asString());
        assertEquals(NAMES[A], serverOf(company));
        assertEquals(List.of(), on(B, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema));
        assertEquals(0L, Sql.count(ds, "SELECT count(*) FROM public.company_moves WHERE company_id = ?::uuid", company));
    }

    static void rollBackToTwo(String company) {
        String down = given().contentType(ContentType.JSON).body(Map.of("direction", "down", "targetVersion", "2",
                "companyIds", List.of(company))).when().post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("the rollback", () -> "succeeded".equals(given().get("/api/v1/rollouts/{id}", down)
                .then().extract().path("state")));
    }

    @Test
    @Order(5)
    void rolloutsWaitForAMovingCompany() {
        String company = onboard(A);
        rollBackToTwo(company);
        // A move under way, as its row says (its job is not needed to hold the rollout back).
        String moveId = UUID.randomUUID().toString();
        Sql.execute(ds, "INSERT INTO public.company_moves (id, company_id, schema_name, source, target, method, phase,"
                + " owner) VALUES (?::uuid, ?::uuid, ?, ?, ?, 'logical', 'copying', 'test')", moveId, company,
                schemaOf(company), NAMES[A], NAMES[B]);
        String up = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(company)))
                .when().post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("the company to wait for its move", () -> Sql.count(ds, "SELECT count(*) FROM public.rollout_targets"
                + " WHERE rollout_id = ?::uuid AND status = 'waiting' AND error LIKE 'moving to server%'", up) == 1);
        assertEquals("running", given().get("/api/v1/rollouts/{id}", up).then().extract().path("state"));
        assertEquals(moveId, given().get("/api/v1/companies/{id}/location", company).then().statusCode(200)
                .extract().path("moving.id"));
        assertEquals(List.of(), on(A, "SELECT indexname FROM pg_indexes WHERE indexname = 'items_n_idx'"
                + " AND schemaname = ?", schemaOf(company)));
        // The move ends (here: failed, the company stays): the rollout runs it.
        Sql.execute(ds, "UPDATE public.company_moves SET phase = 'failed', finished_at = now() WHERE id = ?::uuid", moveId);
        Await.until("the rollout", () -> "succeeded".equals(given().get("/api/v1/rollouts/{id}", up)
                .then().extract().path("state")));
        assertEquals(List.of("items_n_idx"), on(A, "SELECT indexname FROM pg_indexes WHERE indexname = 'items_n_idx'"
                + " AND schemaname = ?", schemaOf(company)));
    }

    @Test
    @Order(6)
    void aCancelledMoveLeavesNothingBehind() throws Exception {
        String company = onboard(A);
        String schema = schemaOf(company);
        try (Connection c = connect(A); Statement s = c.createStatement()) {
            s.execute("INSERT INTO \"" + schema + "\".items (n) SELECT g FROM generate_series(1, 20000) g");
        }
        String moveId = move(company, NAMES[B], false).then().statusCode(202).extract().path("id");
        given().post("/api/v1/moves/{id}/cancel", moveId).then().statusCode(200).body("cancelRequested",
                org.hamcrest.Matchers.equalTo(true));
        Response end = awaitEnd(moveId);
        assertEquals("cancelled", end.path("phase"), end.asString());
        assertEquals(NAMES[A], serverOf(company));
        assertEquals(List.of(schema), on(A, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema));
        assertEquals(List.of(), on(B, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema));
        assertEquals(List.of("0"), on(B, "SELECT count(*) FROM public.migration_state WHERE company_id = ?::uuid", company));
        noReplicationLeft();
        // A finished move cannot be cancelled again.
        given().post("/api/v1/moves/{id}/cancel", moveId).then().statusCode(409).contentType("application/problem+json");
        given().get("/api/v1/moves/{id}", UUID.randomUUID()).then().statusCode(404);
    }

    @Inject
    MoveSweep sweep;

    @Test
    @Order(7)
    void theSweepRollsBackAMoveWhoseProcessDied() throws Exception {
        String company = onboard(A);
        String schema = schemaOf(company);
        UUID moveId = UUID.randomUUID();
        String name = ReplicationSql.replicationName(moveId);
        // What a process killed while copying leaves: its row, a publication and slot on the source, a subscription and
        // a half-built schema on the target, a table with a temporary replica identity.
        Sql.execute(ds, "INSERT INTO public.company_moves (id, company_id, schema_name, source, target, method, phase,"
                + " owner, replica_full, updated_at) VALUES (?::uuid, ?::uuid, ?, ?, ?, 'logical', 'copying', 'dead',"
                + " '{events}', now() - interval '1 hour')", moveId.toString(), company, schema, NAMES[A], NAMES[B]);
        try (Connection c = connect(A); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE \"" + schema + "\".events REPLICA IDENTITY FULL");
            s.execute("CREATE PUBLICATION " + name + " FOR TABLE \"" + schema + "\".items");
            s.execute("SELECT pg_create_logical_replication_slot('" + name + "', 'pgoutput')");
        }
        try (Connection c = connect(B); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA \"" + schema + "\"");
            s.execute("CREATE TABLE \"" + schema + "\".items (id bigint)");
            s.execute("CREATE SUBSCRIPTION " + name + " CONNECTION 'host=127.0.0.1 port=" + logical.port(A)
                    + " dbname=postgres' PUBLICATION " + name + " WITH (connect = false, slot_name = NONE)");
        }
        List<Move> rolledBack = sweep.sweep().await().atMost(java.time.Duration.ofSeconds(60));
        assertEquals(List.of(moveId), rolledBack.stream().map(Move::id).toList());
        noReplicationLeft();
        assertEquals(List.of(), on(B, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema));
        assertEquals(List.of("d"), on(A, "SELECT relreplident::text FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND relname = 'events'", schema));
        Response move = given().get("/api/v1/moves/{id}", moveId);
        assertEquals("failed", move.path("phase"));
        assertTrue(move.<String>path("error").startsWith("interrupted"), move.asString());
        assertEquals(NAMES[A], serverOf(company));
        // A move of this process, or a fresh one of another, is left alone.
        assertEquals(List.of(), sweep.sweep().await().atMost(java.time.Duration.ofSeconds(60)));
    }
}
