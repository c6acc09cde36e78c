package io.flotilla.security;

import io.flotilla.testsupport.LogCapture;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.RawHttp;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Set;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every operation of the contract, as no one, a viewer, an operator and an admin, in every spelling of its URL: the
 * answer is 401/403 problem+json exactly where the roles table says, and a refused call changes nothing (the company's
 * schema keeps its OID and rows, no server is registered, no rollout or maintenance run appears). Where a role is
 * allowed, the call carries harmless arguments (an unknown id, a body with an unknown field), so that it reaches the
 * handler without changing anything either. The operations come from openapi.yaml, so a new endpoint is tried the day
 * it is added.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class AuthorizationMatrixTest {

    static final String PROBLEM_JSON = "application/problem+json";
    static final String UNKNOWN_ID = "0badc0de-0000-4000-8000-00000000f00d";

    @TestHTTPResource("/")
    URI base;

    @Inject
    DataSource ds;

    /** The live targets a refused call aims at: what it would have changed had it been let through. */
    static String companyId;
    static String schema;
    static String rolloutId;
    static String jobName;
    static String webhookId;

    @BeforeEach
    void fixtures() throws Exception {
        if (companyId != null) {
            return;
        }
        String admin = TestTokens.admin();
        schema = Sql.unique("authz");
        HttpResponse<String> onboarded = call("POST", "/api/v1/companies", admin,
                "{\"companyName\": \"Authz " + schema + "\", \"schemaName\": \"" + schema + "\"}");
        assertEquals(201, onboarded.statusCode(), onboarded.body());
        companyId = field(onboarded.body(), "id");
        HttpResponse<String> seeded = call("POST", "/api/v1/companies/" + companyId + "/seed", admin, "{}");
        assertEquals(200, seeded.statusCode(), seeded.body());
        assertTrue(rows() > 0, "the seed put rows in " + schema);
        // Nothing is pending, so the rollout ends at once; refused pause/resume/cancel must leave it as it is.
        HttpResponse<String> rollout = call("POST", "/api/v1/rollouts", admin, "{\"companyIds\": [\"" + companyId + "\"]}");
        assertEquals(202, rollout.statusCode(), rollout.body());
        rolloutId = field(rollout.body(), "id");
        HttpResponse<String> jobs = call("GET", "/api/v1/maintenance/jobs", admin, null);
        assertEquals(200, jobs.statusCode(), jobs.body());
        jobName = field(jobs.body(), "name");
        HttpResponse<String> webhook = call("POST", "/api/v1/webhooks", admin, LIVE_WEBHOOK);
        assertEquals(201, webhook.statusCode(), webhook.body());
        webhookId = field(webhook.body(), "id");
    }

    static final String LIVE_WEBHOOK = "{\"url\": \"http://127.0.0.1:9/authz\", \"events\": [\"rollout.failed\"],"
            + " \"secret\": \"authz-secret\"}";

    @Test
    void everyOperationAsEveryRoleInEverySpelling() throws Exception {
        Map<String, Role> table = RolesTable.readme();
        List<RolesTable.Operation> operations = RolesTable.contract();
        assertFalse(operations.isEmpty());
        List<String> wrong = new ArrayList<>();
        Map<String, Integer> routed = new TreeMap<>();
        int calls = 0;
        for (RolesTable.Operation op : operations) {
            Role needed = table.get(op.id());
            assertTrue(needed != null, op.id() + " is not in the roles table of docs/security.md");
            for (Role caller : new Role[]{null, Role.VIEWER, Role.OPERATOR, Role.ADMIN}) {
                boolean allowedHere = caller != null && caller.includes().contains(needed);
                String token = caller == null ? null : TestTokens.token(caller);
                String path = allowedHere ? op.path(this::harmless) : op.path(this::live);
                String body = !op.hasBody() ? null : allowedHere ? "{\"authzProbe\": 1}" : liveBody(op.id());
                for (Map.Entry<String, String> spelling : Spellings.of(op.template(), path).entrySet()) {
                    // Paths are case-sensitive (RFC 3986): a spelling in other letters may name another operation,
                    // or none; the table's rule is the named operation's.
                    RolesTable.Operation named = Spellings.isOtherPath(spelling.getKey())
                            ? RolesTable.match(operations, op.method(), spelling.getValue()) : op;
                    boolean allowed = named != null && caller != null && caller.includes().contains(table.get(named.id()));
                    String before = allowedHere ? null : fingerprint();
                    HttpResponse<String> r = call(op.method(), spelling.getValue(), token, body);
                    calls++;
                    String who = (caller == null ? "no token" : caller.value()) + " " + op.method() + " "
                            + spelling.getValue() + " (" + op.id() + ", " + spelling.getKey() + ")";
                    int status = r.statusCode();
                    String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0];
                    if (named == null) {
                        // Names no operation, for no caller: the router's 404, and nothing is done; its 405 when the
                        // path is one that other methods serve (POST /companies/ADOPT is a company id to GET).
                        int refusal = otherMethod(operations, op.method(), spelling.getValue()) ? 405 : 404;
                        if (status != refusal || !type.equals(PROBLEM_JSON) || r.body().contains("urn:flotilla:problem")) {
                            wrong.add(who + ": names no operation, expected the router's " + refusal + " problem+json, answered "
                                    + status + " " + abbreviate(r.body()));
                        }
                    } else if (allowed) {
                        if (status == 401 || status == 403) {
                            wrong.add(who + ": allowed by the table, answered " + status + " " + r.body());
                        }
                        if (status != 404 || r.body().contains("urn:flotilla:problem")) {
                            routed.merge(spelling.getKey().replaceAll("@\\d+", ""), 1, Integer::sum);
                        }
                    } else {
                        int expected = caller == null ? 401 : 403;
                        if (status != expected || !type.equals(PROBLEM_JSON)) {
                            wrong.add(who + ": expected " + expected + " problem+json, answered " + status + " " + type
                                    + " " + abbreviate(r.body()));
                        }
                    }
                    if (before != null && !before.equals(fingerprint())) {
                        wrong.add(who + ": answered " + status + " but the database changed");
                    }
                }
            }
        }
        if (!wrong.isEmpty()) {
            fail(wrong.size() + " of " + calls + " calls answered against the roles table:\n" + String.join("\n", wrong));
        }
        // Each spelling reached handlers for allowed callers (or the check above would be about 404s only).
        System.out.println("authorization matrix: " + calls + " calls; allowed calls that reached a handler, by spelling: " + routed);
        assertTrue(routed.getOrDefault("plain", 0) > 0 && routed.getOrDefault("matrix", 0) > 0, routed.toString());
        // The audit (package audit) recorded every change asked for, refused ones too, with no one's per-operation
        // code: each write operation of the contract has its refusals of a caller without a token; reads are not
        // recorded at all.
        Set<String> audited = new TreeSet<>(Sql.column(ds,
                "SELECT DISTINCT action FROM public.audit_entries WHERE status = 401 AND subject IS NULL"));
        Set<String> writes = new TreeSet<>(operations.stream().filter(op -> !op.method().equals("GET"))
                .map(RolesTable.Operation::id).toList());
        assertTrue(audited.containsAll(writes), "write operations missing from the audit: " + new TreeSet<>(writes)
                .stream().filter(id -> !audited.contains(id)).toList());
        assertEquals(0, Sql.count(ds, "SELECT count(*) FROM public.audit_entries WHERE method IN ('GET', 'HEAD')"),
                "reads are not audited");
    }

    @Test
    void aRefusedWriteIsLoggedOnceWithWhoAndWhatButNoToken() throws Exception {
        String operator = TestTokens.token(Role.OPERATOR);
        String path = "/api/v1/companies/" + companyId + "/reset;x=1";
        String oidBefore = schemaOid();
        long rowsBefore = rows();
        try (LogCapture log = LogCapture.install()) {
            HttpResponse<String> r = call("POST", path, operator, "{\"confirm\": \"" + schema + "\", \"force\": true}");
            assertEquals(403, r.statusCode(), r.body());
            List<LogCapture.Line> refusals = log.lines().stream().filter(l -> l.text().contains(path)).toList();
            assertEquals(1, refusals.size(), log.text());
            LogCapture.Line line = refusals.get(0);
            assertEquals(Level.INFO, line.level(), line.toString());
            assertTrue(line.text().contains("test-operator") && line.text().contains("operator")
                    && line.text().contains("POST"), line.text());
            assertFalse(log.text().contains(operator), "the token is never logged");
        }
        assertEquals(oidBefore, schemaOid(), "the schema was not dropped");
        assertEquals(rowsBefore, rows(), "the rows are still there");
    }

    @Test
    void rollingBackNeedsAdminInEverySpelling() throws Exception {
        // The one rule the path cannot say: a rollout's direction is in its body. Checked on the identity, so spellings
        // of the URL cannot matter; tried anyway.
        String operator = TestTokens.token(Role.OPERATOR);
        String body = "{\"companyIds\": [\"" + companyId + "\"], \"direction\": \"down\", \"targetVersion\": \"0\"}";
        for (String path : Spellings.of("/api/v1/rollouts", "/api/v1/rollouts").values()) {
            String before = fingerprint();
            try (LogCapture log = LogCapture.install()) {
                HttpResponse<String> r = call("POST", path, operator, body);
                if (r.statusCode() != 404) {
                    assertEquals(403, r.statusCode(), path + ": " + r.body());
                    assertEquals(1, log.lines().stream().filter(l -> Level.INFO.equals(l.level())
                            && l.text().contains("may not POST " + path + ": Rolling back needs role admin")).count(),
                            log.text());
                }
            }
            assertEquals(before, fingerprint(), path);
        }
        HttpResponse<String> plan = call("POST", "/api/v1/rollouts", operator, body.replace("}", ", \"dryRun\": true}"));
        assertEquals(200, plan.statusCode(), "a dry run of a rollback is an operator's: " + plan.body());
    }

    /** Path parameters that name things that exist: what a refused call would have hit. */
    String live(String path, String parameter) {
        return switch (parameter) {
            case "id" -> path.startsWith("/api/v1/rollouts") ? rolloutId
                    : path.startsWith("/api/v1/companies") ? companyId
                    : path.startsWith("/api/v1/webhooks") ? webhookId : UNKNOWN_ID;
            case "name" -> path.startsWith("/api/v1/servers") ? "home" : jobName;
            case "version" -> "1";
            default -> "x";
        };
    }

    /** Path parameters that name nothing: an allowed call reaches its handler and finds nothing to change. */
    String harmless(String path, String parameter) {
        return switch (parameter) {
            case "id" -> UNKNOWN_ID;
            case "version" -> "999999";
            default -> "no-such-" + parameter;
        };
    }

    /** Bodies that would do what the operation does, had the role been enough. */
    String liveBody(String operationId) {
        return switch (operationId) {
            case "onboardCompany" -> "{\"companyName\": \"Intruder\", \"schemaName\": \"authz_intruder\"}";
            case "updateCompany" -> "{\"status\": \"suspended\", \"settings\": {\"intruder\": \"yes\"}}";
            case "resetCompany" -> "{\"confirm\": \"" + schema + "\", \"force\": true}";
            case "startRollout" -> "{\"companyIds\": [\"" + companyId + "\"], \"direction\": \"down\", \"targetVersion\": \"0\"}";
            case "runMaintenanceJob" -> "{\"companyIds\": [\"" + companyId + "\"]}";
            case "registerServer" -> "{\"name\": \"intruder\", \"host\": \"127.0.0.1\", \"port\": 5432, \"database\":"
                    + " \"postgres\", \"user\": \"postgres\", \"connectionBudget\": 2}";
            case "updateServer" -> "{\"state\": \"draining\"}";
            case "createWebhook" -> LIVE_WEBHOOK;
            default -> "{}";
        };
    }

    /** Everything a call could change, in one string: companies, ledger, rollouts, servers, runs, schemas, rows. */
    String fingerprint() {
        return Sql.column(ds, """
                SELECT concat_ws(' | ',
                  (SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY c.id), '')) FROM public.companies c),
                  (SELECT count(*) FROM public.migration_ledger),
                  (SELECT md5(coalesce(string_agg(r.id::text || r.state, ',' ORDER BY r.id), '')) FROM public.rollouts r),
                  (SELECT md5(coalesce(string_agg(s.name || s.state || s.connection_budget, ',' ORDER BY s.name), ''))
                     FROM public.tenant_servers s),
                  (SELECT count(*) FROM public.maintenance_runs),
                  (SELECT md5(coalesce(string_agg(w.id::text, ',' ORDER BY w.id), '')) FROM public.webhook_subscriptions w),
                  (SELECT md5(string_agg(n.oid::text || n.nspname, ',' ORDER BY n.oid)) FROM pg_namespace n))
                """).get(0) + " | " + schemaOid() + " | " + rows();
    }

    String schemaOid() {
        return Sql.column(ds, "SELECT oid::text FROM pg_namespace WHERE nspname = ?", schema).get(0);
    }

    long rows() {
        return Sql.count(ds, "SELECT count(*) FROM \"" + schema + "\".conversations");
    }

    HttpResponse<String> call(String method, String path, String token, String json) throws Exception {
        return RawHttp.call(base, method, path, token, json);
    }

    static String field(String json, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }

    static String abbreviate(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }

    /** The spellings of one concrete path that a router or a path pattern might read differently. */
    static final class Spellings {
        private Spellings() {
        }

        /** A spelling that is another path (RFC 3986: the path is case-sensitive), not the operation's. */
        static boolean isOtherPath(String spelling) {
            return spelling.startsWith("upper-case");
        }

        /** {@code path} is {@code template} with its parameters filled in; only static segments change case. */
        static Map<String, String> of(String template, String path) {
            String[] segments = path.substring(1).split("/");
            Map<String, String> spellings = new LinkedHashMap<>();
            spellings.put("plain", path);
            for (int i = 0; i < segments.length; i++) {
                String[] copy = segments.clone();
                copy[i] = copy[i] + ";x=1";
                spellings.put("matrix@" + i, "/" + String.join("/", copy));
            }
            spellings.put("trailing-slash", path + "/");
            int last = path.lastIndexOf('/');
            spellings.put("double-slash", path.substring(0, last) + "/" + path.substring(last));
            spellings.put("percent-encoded", path.substring(0, last + 1) + encodeOneLetter(path.substring(last + 1)));
            spellings.put("upper-case-prefix", "/API/V1" + path.substring("/api/v1".length()));
            String[] upper = segments.clone();
            String[] named = template.substring(1).split("/");
            for (int i = named.length - 1; i >= 0; i--) {
                if (!named[i].contains("{")) {
                    upper[i] = upper[i].toUpperCase(Locale.ROOT);
                    break;
                }
            }
            spellings.put("upper-case-last", "/" + String.join("/", upper));
            return spellings;
        }

        /** The first letter (or, in a name without one, the first character) as %XX. */
        static String encodeOneLetter(String segment) {
            int at = 0;
            for (int i = 0; i < segment.length(); i++) {
                if (Character.isLetter(segment.charAt(i))) {
                    at = i;
                    break;
                }
            }
            return segment.substring(0, at) + String.format("%%%02X", (int) segment.charAt(at)) + segment.substring(at + 1);
        }
    }

    /** Whether an operation of another method serves this path (then JAX-RS answers 405, not 404). */
    private static boolean otherMethod(List<RolesTable.Operation> operations, String method, String path) {
        return java.util.Arrays.stream(new String[]{"GET", "POST", "PUT", "PATCH", "DELETE"})
                .filter(m -> !m.equals(method)).anyMatch(m -> RolesTable.match(operations, m, path) != null);
    }
}
