package io.flotilla.cli;

import io.flotilla.client.ApiClient;
import io.flotilla.client.ApiException;
import io.flotilla.client.ApiResponse;
import io.flotilla.client.api.CatalogApi;
import io.flotilla.client.api.CompaniesApi;
import io.flotilla.client.api.FleetApi;
import io.flotilla.client.api.LedgerApi;
import io.flotilla.client.api.RolloutsApi;
import io.flotilla.client.model.Rollout;
import io.flotilla.client.model.RolloutPlanView;
import io.flotilla.client.model.RolloutRequest;
import io.flotilla.security.Role;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The running service as a verb sees it: its URL ({@code --url}, else {@code FLOTILLA_URL}, else
 * {@value #DEFAULT_URL}), the token sent with every request ({@link TokenSource}), and the client generated from
 * openapi.yaml. {@link #call} turns every failed call into a {@link CliFailure} through {@link Failures}.
 */
final class ServiceConnection {

    static final String DEFAULT_URL = "http://localhost:8080";
    /** Lint and verify build a whole catalog in a scratch schema before they answer. */
    static final Duration READ_TIMEOUT = Duration.ofMinutes(10);

    /** One generated call. */
    interface Call<T> {
        T call() throws ApiException;
    }

    private final URI url;
    private final String urlOrigin;
    private final TokenSource tokens;
    private final ApiClient client;
    /** The body of the last 202 to POST /api/v1/rollouts: see {@link #startRollout}. */
    private final AtomicReference<Rollout> accepted = new AtomicReference<>();

    private ServiceConnection(URI url, String urlOrigin, TokenSource tokens) {
        this.url = url;
        this.urlOrigin = urlOrigin;
        this.tokens = tokens;
        this.client = new ApiClient();
        client.updateBaseUri(url.toString());
        // HTTP/1.1: java.net.http would otherwise try an h2c upgrade on plain HTTP.
        client.setHttpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1));
        client.setConnectTimeout(Duration.ofSeconds(5));
        client.setReadTimeout(READ_TIMEOUT);
        client.setRequestInterceptor(builder -> {
            builder.header("User-Agent", "flotilla-cli");
            current().ifPresent(token -> builder.header("Authorization", "Bearer " + token));
        });
        client.setResponseInterceptor(response -> {
            HttpRequest sent = response.request();
            if (response.statusCode() == 202 && sent.method().equals("POST")
                    && sent.uri().getPath().endsWith("/api/v1/rollouts")) {
                try { // read to the end but not closed: the generated code closes it
                    byte[] body = ApiClient.getResponseBody(response).readAllBytes();
                    accepted.set(client.getObjectMapper().readValue(body, Rollout.class));
                } catch (IOException e) {
                    throw new UncheckedIOException("the 202 body of POST /api/v1/rollouts is not a Rollout", e);
                }
            }
        });
    }

    static ServiceConnection open(String urlFlag, String tokenFlag, Function<String, String> settings, Path dataDir,
                                  Role role) {
        String origin = urlFlag != null ? "--url" : settings.apply("FLOTILLA_URL") != null ? "FLOTILLA_URL" : "the default";
        String text = urlFlag != null ? urlFlag : settings.apply("FLOTILLA_URL") != null ? settings.apply("FLOTILLA_URL") : DEFAULT_URL;
        return new ServiceConnection(parseUrl(text.trim(), origin), origin,
                TokenSource.resolve(tokenFlag, settings, dataDir, role));
    }

    static URI parseUrl(String text, String origin) {
        URI uri;
        try {
            uri = URI.create(text.replaceAll("/+$", ""));
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage(origin + " '" + text + "' is not a URL like " + DEFAULT_URL);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw CliFailure.usage(origin + " '" + text + "' is not an http(s) URL like " + DEFAULT_URL);
        }
        return uri;
    }

    private java.util.Optional<String> current() {
        try {
            return tokens.current();
        } catch (RuntimeException e) {
            throw CliFailure.usage("cannot sign a token (" + tokens.origin() + "): " + e.getMessage());
        }
    }

    <T> T call(Call<T> call) {
        try {
            return call.call();
        } catch (ApiException e) {
            throw Failures.of(e, this);
        }
    }

    URI url() {
        return url;
    }

    String urlOrigin() {
        return urlOrigin;
    }

    TokenSource tokens() {
        return tokens;
    }

    CompaniesApi companies() {
        return new CompaniesApi(client);
    }

    FleetApi fleet() {
        return new FleetApi(client);
    }

    LedgerApi ledger() {
        return new LedgerApi(client);
    }

    CatalogApi catalog() {
        return new CatalogApi(client);
    }

    RolloutsApi rollouts() {
        return new RolloutsApi(client);
    }

    /**
     * Starts a rollout and returns it as the 202 describes it. The generator types {@code startRollout} by its lowest
     * 2xx response (OpenAPITools/openapi-generator#17766), the dry run's {@link RolloutPlanView}; the response
     * interceptor reads a 202's body as the {@link Rollout} it is before the generated code gets to it.
     */
    Rollout startRollout(RolloutRequest request) {
        accepted.set(null);
        ApiResponse<RolloutPlanView> response = call(() -> rollouts().startRolloutWithHttpInfo(request.dryRun(false)));
        Rollout started = accepted.get();
        if (response.getStatusCode() != 202 || started == null) {
            throw new CliFailure(ExitCode.USAGE, "POST /api/v1/rollouts answered " + response.getStatusCode()
                    + " without a rollout", response.getStatusCode(), null, null, null);
        }
        return started;
    }

    /** The plan of a dry run (200). */
    RolloutPlanView planRollout(RolloutRequest request) {
        return call(() -> rollouts().startRollout(request.dryRun(true)));
    }
}
