package io.flotilla.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Grafana dashboard ({@value #DASHBOARD}) against the service it watches: every PostgreSQL query, with Grafana's
 * macros expanded as Grafana expands them, runs as the read-only role V12 creates on a migrated database with steps
 * in its ledger; every metric (and label) a Prometheus query names is one the running service exports after it has
 * onboarded, rolled out, failed a step, locked schemas and run maintenance. The role reads those three tables and
 * nothing else.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class GrafanaDashboardTest {

    static final String DASHBOARD = "k8s/grafana/flotilla-dashboard.json";
    static final String ROLE = "flotilla_readonly";
    static final Set<String> READABLE = Set.of("migration_ledger", "companies", "migration_state");
    static final String PROMETHEUS = "prometheus";
    static final String POSTGRES = "grafana-postgresql-datasource";
    /** What Prometheus adds to every series at scrape time: never on /q/metrics, always usable in a query. */
    static final Set<String> SCRAPE_LABELS = Set.of("job", "instance");

    @Inject
    DataSource ds;

    @Inject
    GaugeRefreshJob gauges;

    JsonNode dashboard;

    @BeforeEach
    void load() throws IOException {
        Path file = Path.of(System.getProperty("basedir", ".")).resolve(DASHBOARD);
        dashboard = new ObjectMapper().readTree(file.toFile());
    }

    @Test
    void everyPostgresQueryRunsAsTheReadOnlyRoleAndFindsTheLedger() throws SQLException {
        String broken = brokenCompany();
        String rollout = rollout(broken);
        given().get("/api/v1/rollouts/{id}", rollout).then().statusCode(200);
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM public.migration_ledger WHERE run_id = ?::uuid"
                + " AND status = 'failed'", rollout), "the fixture needs a failed step in the ledger");
        onboard();

        List<Query> queries = queries(POSTGRES);
        assertTrue(queries.size() >= 8, "the dashboard's ledger panels: " + queries);
        Map<String, String> variables = Map.of("company", broken);
        List<String> companyValues = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET ROLE " + ROLE);
            try {
                for (Query query : queries) {
                    String sql = expand(query.text(), variables);
                    List<String> columns = new ArrayList<>();
                    int rows = 0;
                    try (ResultSet rs = st.executeQuery(sql)) {
                        ResultSetMetaData meta = rs.getMetaData();
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            columns.add(meta.getColumnLabel(i));
                        }
                        while (rs.next()) {
                            rows++;
                            if (columns.contains("__value")) {
                                companyValues.add(rs.getString("__value"));
                            }
                        }
                    } catch (SQLException e) {
                        fail(query.where() + " fails as " + ROLE + ": " + e.getMessage() + "\n" + sql, e);
                    }
                    // The fixture has a company, a failed step and applied ones: every panel shows something.
                    assertTrue(rows > 0, query.where() + " found nothing:\n" + sql);
                    if ("time_series".equals(query.format())) {
                        assertTrue(columns.contains("time"), query.where() + ": a time series needs a column named time, has "
                                + columns);
                    }
                }
            } finally {
                st.execute("RESET ROLE");
            }
        }
        // The company variable lists companies by name (__text), with the id the panels filter on as the value.
        assertTrue(queries.stream().anyMatch(q -> q.where().equals("variable company")), "no company variable");
        assertTrue(companyValues.contains(broken), "the company variable's values are company ids: " + companyValues);
    }

    @Test
    void everyMetricAPanelUsesIsExportedWithItsLabels() {
        // The extraction itself: functions, keywords, label names, ranges and variables are no metric names.
        String sample = "histogram_quantile(0.95, sum by (le, direction) (rate(a_bucket{job=~\"$job\", outcome=\"x\"}"
                + "[$__rate_interval]))) / on (direction) max without (server) (b_total offset 5m)";
        assertEquals(Set.of("a_bucket", "b_total"), metricNames(sample));
        assertEquals(Set.of("direction", "job", "outcome", "server"), labelNames(sample));
        assertEquals(Set.of("flotilla_steps_pending"), metricNames("label_values(flotilla_steps_pending, job)"));

        onboard();
        String broken = brokenCompany();
        rollout(broken);
        maintenance(onboard());
        gauges.refresh().await().atMost(Duration.ofSeconds(60));
        Map<String, Set<String>> exported = exportedMetrics(given().get("/q/metrics").then().statusCode(200)
                .extract().asString());

        List<Query> queries = queries(PROMETHEUS);
        assertTrue(queries.size() >= 15, "the dashboard's Prometheus panels: " + queries);
        Set<String> used = new TreeSet<>();
        for (Query query : queries) {
            Set<String> metrics = metricNames(query.text());
            assertFalse(metrics.isEmpty(), query.where() + " names no metric: " + query.text());
            Set<String> labels = new HashSet<>(SCRAPE_LABELS);
            for (String metric : metrics) {
                assertTrue(exported.containsKey(metric), query.where() + " uses " + metric
                        + ", which the service does not export; flotilla_* it does: " + flotilla(exported.keySet()));
                labels.addAll(exported.get(metric));
            }
            for (String label : labelNames(query.text())) {
                assertTrue(labels.contains(label), query.where() + " uses label " + label + ", which " + metrics
                        + " do not have: " + labels);
            }
            used.addAll(metrics);
        }
        // The ready alert rules beside the dashboard: every metric and label they name is exported too.
        JsonNode rules = alertRules();
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : rules.path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String where = "alert " + rule.path("alert").asText();
                String expr = rule.path("expr").asText();
                Set<String> metrics = metricNames(expr);
                assertFalse(metrics.isEmpty(), where + " names no metric: " + expr);
                Set<String> labels = new HashSet<>(SCRAPE_LABELS);
                for (String metric : metrics) {
                    assertTrue(exported.containsKey(metric), where + " uses " + metric + ", which the service does"
                            + " not export; flotilla_* it does: " + flotilla(exported.keySet()));
                    labels.addAll(exported.get(metric));
                }
                for (String label : labelNames(expr)) {
                    assertTrue(labels.contains(label), where + " uses label " + label + ", which " + metrics
                            + " do not have: " + labels);
                }
                alerts.add(rule.path("alert").asText());
            }
        }
        assertEquals("PrometheusRule", rules.path("kind").asText());
        assertTrue(alerts.containsAll(List.of("FlotillaRolloutFailed", "FlotillaScheduledRolloutOverdue",
                "FlotillaMaintenanceFailing", "FlotillaWebhookDeliveriesFailing")), "alert rules: " + alerts);
        // What the issue asks the dashboard to show, by the metric that shows it.
        for (String family : List.of("flotilla_rollouts_started_total", "flotilla_rollouts_finished_total",
                "flotilla_rollouts_scheduled", "flotilla_rollouts_scheduled_overdue", "flotilla_webhook_deliveries_total",
                "flotilla_steps_pending", "flotilla_migration_step_seconds_bucket", "flotilla_lock_wait_seconds_bucket",
                "flotilla_maintenance_run_seconds_count", "sql_pool_active", "flotilla_server_companies",
                "flotilla_tenants_size_bytes", "flotilla_db_connections")) {
            assertTrue(used.contains(family), "no panel shows " + family);
        }
    }

    static final String ALERTS = "k8s/grafana/flotilla-alerts.yaml";

    private static JsonNode alertRules() {
        try {
            return new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readTree(Path.of(System.getProperty("basedir", ".")).resolve(ALERTS).toFile());
        } catch (IOException e) {
            throw new AssertionError(ALERTS + " is not readable YAML: " + e.getMessage(), e);
        }
    }

    @Test
    void panelsUseTheDataSourceVariablesSoTheDashboardImportsAnywhere() {
        Map<String, String> sources = new HashMap<>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("datasource")) {
                sources.put("${" + variable.path("name").asText() + "}", variable.path("query").asText());
            }
        }
        assertEquals(Set.of(PROMETHEUS, POSTGRES), new HashSet<>(sources.values()), "data source variables");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel id " + panel.path("id") + " twice");
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            String type = panel.path("datasource").path("type").asText();
            assertEquals(type, sources.get(panel.path("datasource").path("uid").asText()),
                    panel.path("title").asText() + ": the data source must be one of the variables " + sources.keySet());
            for (JsonNode target : panel.path("targets")) {
                assertEquals(panel.path("datasource"), target.path("datasource"), panel.path("title").asText());
            }
        }
        assertTrue(dashboard.path("schemaVersion").asInt() >= 39, "schemaVersion of a current Grafana");
        assertFalse(dashboard.path("uid").asText().isEmpty(), "a fixed uid, so that re-importing replaces the dashboard");
    }

    @Test
    void theReadOnlyRoleReadsTheThreeTablesAndNothingElse() throws SQLException {
        assertEquals(1, Sql.count(ds, "SELECT count(*) FROM pg_roles WHERE rolname = ? AND NOT rolcanlogin", ROLE),
                "the migration makes the role, without LOGIN");
        Map<String, String> grants = new TreeMap<>();
        for (String row : Sql.column(ds, "SELECT table_schema || '.' || table_name || ' ' || privilege_type"
                + " FROM information_schema.role_table_grants WHERE grantee = ?", ROLE)) {
            grants.put(row.split(" ")[0], row.split(" ")[1]);
        }
        Map<String, String> expected = new TreeMap<>();
        READABLE.forEach(t -> expected.put("public." + t, "SELECT"));
        assertEquals(expected, grants, "exactly SELECT on the three tables");

        // Before PostgreSQL 15 every role may create in schema public through PUBLIC
        // (docs/maintenance-and-monitoring.md: revoke it, as 15 does);
        // the role itself must hold no such grant either way.
        String schemaGrants = "SELECT count(*) FROM pg_namespace n,"
                + " aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a"
                + " WHERE n.nspname = 'public' AND a.privilege_type = 'CREATE' AND a.grantee = ";
        assertEquals(0, Sql.count(ds, schemaGrants + "(SELECT oid FROM pg_roles WHERE rolname = ?)", ROLE));
        boolean publicMayCreate = Sql.count(ds, schemaGrants + "0") > 0;
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET ROLE " + ROLE);
            try {
                for (String table : READABLE) {
                    st.executeQuery("SELECT count(*) FROM public." + table).close();
                }
                denied(st, "INSERT INTO public.companies (company_name, schema_name) VALUES ('ro', 'ro_schema')");
                denied(st, "UPDATE public.migration_ledger SET error = 'x'");
                denied(st, "DELETE FROM public.migration_state");
                denied(st, "SELECT count(*) FROM public.rollouts");
                denied(st, "SELECT count(*) FROM public.qrtz_locks");
                denied(st, "SELECT count(*) FROM public.flotilla_schema_history");
                if (!publicMayCreate) {
                    denied(st, "CREATE TABLE public.ro_scratch (id int)");
                }
            } finally {
                st.execute("RESET ROLE");
            }
        }
    }

    private static void denied(Statement st, String sql) {
        try {
            st.execute(sql);
            fail(ROLE + " may run: " + sql);
        } catch (SQLException e) {
            assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Fixture: what a running service has done

    /** A company onboarded through the API: its schema migrated, its steps applied in the ledger. */
    private static String onboard() {
        String schema = Sql.unique("graf");
        return given().contentType(ContentType.JSON).body(Map.of("companyName", "Co " + schema, "schemaName", schema))
                .post("/api/v1/companies").then().statusCode(201).extract().path("id");
    }

    /** A company whose schema already has the table migration 1 creates: its first step fails with 42P07. */
    private String brokenCompany() {
        String schema = Sql.unique("graf_broken");
        Sql.execute(ds, "CREATE SCHEMA " + schema);
        Sql.execute(ds, "CREATE TABLE " + schema + ".conversations (id int)");
        return Sql.column(ds, "INSERT INTO public.companies (company_name, schema_name) VALUES (?, ?) RETURNING id::text",
                "Co " + schema, schema).get(0);
    }

    /** Rolls the company out and waits for the rollout's end; returns its id. */
    private static String rollout(String companyId) {
        String id = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(companyId)))
                .post("/api/v1/rollouts").then().statusCode(202).extract().path("id");
        Await.until("rollout " + id, () -> List.of("succeeded", "failed", "cancelled")
                .contains(given().get("/api/v1/rollouts/{id}", id).<String>path("state")));
        return id;
    }

    private static void maintenance(String companyId) {
        String id = given().contentType(ContentType.JSON).body(Map.of("companyIds", List.of(companyId)))
                .post("/api/v1/maintenance/jobs/vacuum-analyze/run").then().statusCode(202).extract().path("id");
        Await.until("maintenance run " + id, () -> List.of("succeeded", "failed")
                .contains(given().get("/api/v1/maintenance/runs/{id}", id).<String>path("state")));
    }

    // ---------------------------------------------------------------------------------------------------------
    // The dashboard's queries

    /** One query of the dashboard: a panel's target or a variable's, with Grafana's format for SQL targets. */
    record Query(String where, String text, String format) {
    }

    /** Every query that runs on a data source of {@code type}: panel targets and template variables. */
    private List<Query> queries(String type) {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                if (target.path("datasource").path("type").asText().equals(type)) {
                    String text = type.equals(POSTGRES) ? target.path("rawSql").asText() : target.path("expr").asText();
                    queries.add(new Query("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                            text, target.path("format").asText()));
                }
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("datasource").path("type").asText().equals(type)) {
                JsonNode query = variable.path("query");
                queries.add(new Query("variable " + variable.path("name").asText(),
                        query.isObject() ? query.path("query").asText() : query.asText(), "table"));
            }
        }
        return queries;
    }

    private static final Pattern GROUP = Pattern.compile("\\$__timeGroup(Alias)?\\(\\s*([^,()]+?)\\s*,\\s*'?([0-9]+[smhd])'?\\s*\\)");
    private static final Pattern FILTER = Pattern.compile("\\$__timeFilter\\(\\s*([^()]+?)\\s*\\)");

    /**
     * The SQL Grafana's PostgreSQL data source sends for {@code sql} over the last day, as its macro reference says:
     * {@code $__timeFilter(c)} is {@code c BETWEEN 'from' AND 'to'}, {@code $__timeGroup(c, 1m)} is
     * {@code floor(extract(epoch from c)/60)*60}, the Alias form adds {@code AS "time"}; {@code $__interval} is the
     * panel's interval; a single-value variable is put in as it is.
     */
    static String expand(String sql, Map<String, String> variables) {
        Instant to = Instant.now().plus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        Instant from = to.minus(1, ChronoUnit.DAYS);
        String out = sql.replace("$__interval", "1m")
                .replace("$__timeFrom()", "'" + from + "'")
                .replace("$__timeTo()", "'" + to + "'");
        out = FILTER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(
                m.group(1) + " BETWEEN '" + from + "' AND '" + to + "'"));
        out = GROUP.matcher(out).replaceAll(m -> Matcher.quoteReplacement("floor(extract(epoch from " + m.group(2) + ")/"
                + seconds(m.group(3)) + ")*" + seconds(m.group(3)) + (m.group(1) != null ? " AS \"time\"" : "")));
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            out = out.replace("${" + variable.getKey() + "}", variable.getValue()).replace("$" + variable.getKey(),
                    variable.getValue());
        }
        assertFalse(out.contains("$"), "a macro or variable the test does not know: " + out);
        return out;
    }

    private static long seconds(String interval) {
        long n = Long.parseLong(interval.substring(0, interval.length() - 1));
        return switch (interval.charAt(interval.length() - 1)) {
            case 's' -> n;
            case 'm' -> n * 60;
            case 'h' -> n * 3600;
            default -> n * 86400;
        };
    }

    /** Grafana's Prometheus variable query: the values of one label of one metric. */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,]+?)\\s*,\\s*(\\w+)\\s*\\)");

    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan");

    /** The metric names in a PromQL expression: identifiers that are no function, keyword, label or variable. */
    static Set<String> metricNames(String expr) {
        String bare = LABEL_VALUES.matcher(expr).replaceAll("$1") // a variable's label_values(metric, label)
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // string literals
                .replaceAll("\\$\\{?\\w+}?", "") // Grafana variables: $__rate_interval, ${job}
                .replaceAll("\\{[^}]*}", "") // label matchers
                .replaceAll("\\[[^]]*]", "") // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(?!\\s*\\()").matcher(bare);
        while (m.find()) {
            if (!PROMQL_WORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Label names a PromQL expression groups by or matches on (or a variable lists the values of). */
    static Set<String> labelNames(String expr) {
        Set<String> labels = new LinkedHashSet<>();
        Matcher values = LABEL_VALUES.matcher(expr);
        while (values.find()) {
            labels.add(values.group(2));
        }
        Matcher grouping = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)").matcher(expr);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.strip());
                }
            }
        }
        Matcher matchers = Pattern.compile("\\{([^}]*)}").matcher(expr);
        while (matchers.find()) {
            Matcher name = Pattern.compile("([a-zA-Z_]\\w*)\\s*(?:=~|!~|!=|=)").matcher(matchers.group(1));
            while (name.find()) {
                labels.add(name.group(1));
            }
        }
        labels.remove("le"); // a histogram's buckets: on every _bucket series
        return labels;
    }

    /** Series names on /q/metrics (Prometheus text format) with the label names each carries. */
    static Map<String, Set<String>> exportedMetrics(String text) {
        Map<String, Set<String>> metrics = new LinkedHashMap<>();
        Pattern sample = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)})?\\s");
        Pattern label = Pattern.compile("([a-zA-Z_]\\w*)=\"");
        for (String line : text.lines().filter(l -> !l.startsWith("#")).toList()) {
            Matcher m = sample.matcher(line);
            if (m.find()) {
                Set<String> labels = metrics.computeIfAbsent(m.group(1), k -> new TreeSet<>());
                if (m.group(2) != null) {
                    Matcher l = label.matcher(m.group(2));
                    while (l.find()) {
                        labels.add(l.group(1));
                    }
                }
            }
        }
        return metrics;
    }

    private static Set<String> flotilla(Set<String> names) {
        return new TreeSet<>(names.stream().filter(n -> n.startsWith("flotilla_")).toList());
    }
}
