package io.flotilla.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How webhook deliveries are sent and retried ({@code flotilla.webhooks.*}). */
@ConfigMapping(prefix = "flotilla.webhooks")
public interface WebhookConfig {

    /** How often each replica looks for due deliveries ({@code FLOTILLA_WEBHOOK_POLL}). */
    @WithDefault("2s")
    Duration pollInterval();

    /** Wait before the second attempt; each later one waits twice as long as the one before ({@code FLOTILLA_WEBHOOK_BACKOFF}). */
    @WithDefault("30s")
    Duration backoff();

    /** The longest wait between two attempts ({@code FLOTILLA_WEBHOOK_MAX_BACKOFF}). */
    @WithDefault("1h")
    Duration maxBackoff();

    /** A delivery not answered with 2xx this long after its event is given up, {@code failed} ({@code FLOTILLA_WEBHOOK_GIVE_UP}). */
    @WithDefault("24h")
    Duration giveUpAfter();

    /** Connect and answer timeout of one attempt ({@code FLOTILLA_WEBHOOK_TIMEOUT}). */
    @WithDefault("5s")
    Duration timeout();

    /** Deliveries one replica claims per pass, sent in parallel. */
    @WithDefault("16")
    int batch();
}
