package io.flotilla.it;

import io.flotilla.testsupport.TestTokens;

import io.flotilla.client.ApiClient;
import io.flotilla.client.ApiException;
import io.flotilla.client.ApiResponse;
import io.flotilla.client.api.CatalogApi;
import io.flotilla.client.api.CompaniesApi;
import io.flotilla.client.api.LedgerApi;
import io.flotilla.client.api.RolloutsApi;
import io.flotilla.client.model.CompanyRequest;
import io.flotilla.client.model.CompanyStatus;
import io.flotilla.client.model.Direction;
import io.flotilla.client.model.LedgerEntry;
import io.flotilla.client.model.LedgerPage;
import io.flotilla.client.model.MigrationView;
import io.flotilla.client.model.OnboardingView;
import io.flotilla.client.model.ResetRequest;
import io.flotilla.client.model.ResetResult;
import io.flotilla.client.model.Rollout;
import io.flotilla.client.model.RolloutPlanView;
import io.flotilla.client.model.RolloutRequest;
import io.flotilla.client.model.RolloutRequestStrategy;
import io.flotilla.client.model.RolloutState;
import io.flotilla.client.model.SeedResult;
import io.flotilla.client.model.StepStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract from a client's side: the Java client generated from {@code openapi.yaml} at build time (package
 * {@code io.flotilla.client}, see the pom) drives a real service process, with nothing hand-written over HTTP. If the
 * code and openapi.yaml drift apart ({@code OpenApiContractTest}) or the contract stops describing what the service
 * answers, this is where a client notices.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GeneratedClientIT extends ProcessTestSupport {

    private static final int FLEET = 3;

    /** Authorization headers of the requests the client sent, to check every call carried one. */
    private final Set<String> authorizationSent = ConcurrentHashMap.newKeySet();
    private final List<String> requestsWithoutAuthorization = Collections.synchronizedList(new ArrayList<>());
    /** The body of the last 202 to POST /api/v1/rollouts: see {@link #start}. */
    private final AtomicReference<Rollout> acceptedRollout = new AtomicReference<>();

    /** The bearer token the client sends: signed with the test key pair the service process trusts. */
    private static final String TOKEN = TestTokens.admin();

    static String token() {
        return TOKEN;
    }

    @Test
    void onboardRolloutAndLedgerThroughTheGeneratedClient() throws Exception {
        ServiceProcess service = started("it-client", Map.of());
        ApiClient client = client(service);
        CompaniesApi companies = new CompaniesApi(client);
        RolloutsApi rollouts = new RolloutsApi(client);
        LedgerApi ledger = new LedgerApi(client);

        List<String> catalog = new CatalogApi(client).listMigrations().stream().map(MigrationView::getVersion).toList();
        assertEquals(List.of("1", "2", "3", "4", "5", "6", "7"), catalog, "the sample catalog");

        // Onboard: 201, the company flat with the versions applied to its new schema.
        OnboardingView acme = companies.onboardCompany(new CompanyRequest().companyName("Acme Client")
                .schemaName("it_client_acme").settings(Map.of("embedding_dimensions", 3072)));
        assertNotNull(acme.getId());
        assertNotNull(acme.getRunId());
        assertEquals("Acme Client", acme.getCompanyName());
        assertEquals("it_client_acme", acme.getSchemaName());
        assertEquals(CompanyStatus.ACTIVE, acme.getStatus());
        assertEquals(Map.of("embedding_dimensions", 3072), acme.getSettings());
        assertNull(acme.getDeletedAt());
        assertEquals(catalog, acme.getAppliedVersions());
        assertEquals(acme.getId(), companies.getCompany(acme.getId()).getId());

        // A rollout over companies with empty schemas: a canary, then the rest in one wave.
        List<UUID> fleet = db.createFleet("it_client_", 1, FLEET);
        RolloutRequest request = new RolloutRequest().companyIds(fleet)
                .strategy(new RolloutRequestStrategy().canary(1).maxParallel(2).maxFailures(0));
        Rollout started = start(rollouts, request);
        UUID rolloutId = started.getId();
        assertEquals(FLEET, started.getTotalTargets());
        assertTrue(Set.of(RolloutState.PENDING, RolloutState.RUNNING, RolloutState.SUCCEEDED).contains(started.getState()),
                "a new rollout: " + started);

        Rollout done = Poll.until("rollout " + rolloutId + " to end", Duration.ofSeconds(90),
                () -> rollouts.getRollout(rolloutId), r -> r.getState() == RolloutState.SUCCEEDED
                        || r.getState() == RolloutState.FAILED || r.getState() == RolloutState.CANCELLED,
                r -> r + logs().get());
        assertEquals(RolloutState.SUCCEEDED, done.getState(), done + logs().get());
        assertEquals(rolloutId, done.getId());
        assertEquals(Direction.UP, done.getDirection());
        assertEquals(FLEET, done.getTotalTargets());
        assertEquals(1, done.getStrategy().getCanary());
        assertEquals(2, done.getStrategy().getMaxParallel());
        assertEquals(Map.of("succeeded", (long) FLEET), done.getTargets(), "companies per target status");
        assertEquals((long) FLEET * catalog.size(), done.getSteps().get("applied"), "ledger steps applied: " + done.getSteps());
        assertTrue(done.getFailures() == null || done.getFailures().isEmpty(), "failures: " + done.getFailures());
        assertNotNull(done.getFinishedAt());

        // The ledger, filtered by company: one applied step per version, newest first, by this process.
        for (int i = 0; i < FLEET; i++) {
            UUID companyId = fleet.get(i);
            LedgerPage page = ledger.listLedgerEntries(null, companyId, null, null, null, null, null, null);
            List<LedgerEntry> steps = page.getItems();
            assertEquals(catalog.size(), steps.size(), "steps of company " + companyId + ": " + steps);
            assertNull(page.getNextBefore(), "a single page");
            for (LedgerEntry step : steps) {
                assertEquals(companyId, step.getCompanyId());
                assertEquals("it_client_" + (i + 1), step.getSchemaName());
                assertEquals(StepStatus.APPLIED, step.getStatus(), step.toString());
                assertEquals(Direction.UP, step.getDirection());
                assertEquals("it-client", step.getExecutedBy());
                assertNotNull(step.getChecksum());
                assertNotNull(step.getFinishedAt());
            }
            assertEquals(newestFirst(catalog), steps.stream().map(LedgerEntry::getVersion).toList(), "newest first");
        }

        // Onboarding's steps, filtered by company and status, paged two at a time through nextBefore.
        List<LedgerEntry> acmeSteps = new ArrayList<>();
        Long before = null;
        do {
            LedgerPage page = ledger.listLedgerEntries(before, acme.getId(), 2, null, null, StepStatus.APPLIED, null, null);
            acmeSteps.addAll(page.getItems());
            before = page.getNextBefore();
        } while (before != null);
        assertEquals(newestFirst(catalog), acmeSteps.stream().map(LedgerEntry::getVersion).toList());
        assertTrue(acmeSteps.stream().allMatch(s -> acme.getRunId().equals(s.getRunId())
                && "it_client_acme".equals(s.getSchemaName())), "onboarding's run: " + acmeSteps);
        Map<String, Boolean> transactional = acmeSteps.stream()
                .collect(Collectors.toMap(LedgerEntry::getVersion, LedgerEntry::getTransactional));
        assertEquals(true, transactional.get("1"));
        assertEquals(false, transactional.get("7"), "version 7 (CREATE INDEX CONCURRENTLY) runs outside a transaction");

        // Test data and a reset, as a CLI drives them: the seed's optional body left out, the reset typed out.
        SeedResult seeded = companies.seedCompany(acme.getId(), null);
        assertEquals(acme.getId(), seeded.getCompanyId());
        assertEquals(List.of("001_sample_data.sql"), seeded.getFiles());
        ApiException mistyped = assertThrows(ApiException.class,
                () -> companies.resetCompany(acme.getId(), new ResetRequest().confirm("it_client_acme_")));
        assertEquals(400, mistyped.getCode());
        assertTrue(mistyped.getResponseBody().contains("confirmation-mismatch"), mistyped.getResponseBody());
        ResetResult reset = companies.resetCompany(acme.getId(), new ResetRequest().confirm("it_client_acme"));
        assertEquals("it_client_acme", reset.getSchemaName());
        assertEquals(catalog, reset.getDroppedVersions());
        assertEquals(catalog, reset.getApplied());
        List<LedgerEntry> dropped = ledger.listLedgerEntries(null, acme.getId(), null, null, null, StepStatus.ROLLED_BACK, null, null)
                .getItems();
        // Recorded top-down, as a rollback goes: newest first, that is 1 … 7.
        assertEquals(catalog, dropped.stream().map(LedgerEntry::getVersion).toList());
        assertTrue(dropped.stream().allMatch(s -> reset.getRunId().equals(s.getRunId()) && s.getDirection() == Direction.DOWN
                && "reset: schema dropped".equals(s.getScript())), "the reset's rows: " + dropped);

        assertEquals(Set.of("Bearer " + token()), authorizationSent, "the Authorization header of every request");
        assertEquals(List.of(), requestsWithoutAuthorization, "requests sent without Authorization");
    }

    private static List<String> newestFirst(List<String> versions) {
        List<String> reversed = new ArrayList<>(versions);
        Collections.reverse(reversed);
        return reversed;
    }

    /**
     * Starts a rollout and returns it as the 202 describes it. Workaround for a limitation of the generator (all its
     * Java libraries; OpenAPITools/openapi-generator#17766): a method is typed by the lowest 2xx response, so
     * {@code startRollout} reads every success as the dry run's {@link RolloutPlanView} (200) and fails on the
     * {@link Rollout} of a 202. The client's response interceptor ({@link #client}) reads a 202's body as the
     * generated {@code Rollout} before the generated code gets to it, which then finds the body consumed and returns
     * no data; the status and the Location header come through as usual.
     */
    private Rollout start(RolloutsApi rollouts, RolloutRequest request) throws Exception {
        acceptedRollout.set(null);
        ApiResponse<RolloutPlanView> response = rollouts.startRolloutWithHttpInfo(request);
        assertEquals(202, response.getStatusCode(), "a rollout that starts answers 202");
        assertNull(response.getData(), "the interceptor read the 202 body");
        Rollout started = acceptedRollout.get();
        assertNotNull(started, "the 202 body");
        List<String> location = response.getHeaders().getOrDefault("location", List.of());
        assertEquals(1, location.size(), "one Location header: " + response.getHeaders());
        assertEquals("/api/v1/rollouts/" + started.getId(), URI.create(location.get(0)).getPath());
        return started;
    }

    /** A client for {@code service}, sending {@code Authorization: Bearer <token()>} with every request. */
    private ApiClient client(ServiceProcess service) {
        ApiClient client = new ApiClient();
        client.updateBaseUri("http://127.0.0.1:" + service.port());
        // HTTP/1.1 as ServiceProcess uses: java.net.http would otherwise try an h2c upgrade on plain HTTP.
        client.setHttpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1));
        client.setConnectTimeout(Duration.ofSeconds(5));
        client.setReadTimeout(Duration.ofSeconds(120)); // onboarding applies every migration before it answers
        client.setRequestInterceptor(builder -> builder.header("Authorization", "Bearer " + token()));
        client.setResponseInterceptor(response -> {
            HttpRequest sent = response.request();
            sent.headers().firstValue("Authorization").ifPresentOrElse(authorizationSent::add,
                    () -> requestsWithoutAuthorization.add(sent.method() + " " + sent.uri()));
            if (response.statusCode() == 202 && sent.method().equals("POST")
                    && sent.uri().getPath().equals("/api/v1/rollouts")) {
                try { // read to the end but not closed: the generated code closes it
                    byte[] body = ApiClient.getResponseBody(response).readAllBytes();
                    acceptedRollout.set(client.getObjectMapper().readValue(body, Rollout.class));
                } catch (IOException e) {
                    throw new UncheckedIOException("the 202 body of POST /api/v1/rollouts is not a Rollout", e);
                }
            }
        });
        return client;
    }
}
