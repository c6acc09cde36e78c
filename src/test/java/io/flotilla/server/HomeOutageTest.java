package io.flotilla.server;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What counts as home having gone away, and the outage's open/close. */
class HomeOutageTest {

    @Test
    void lostConnectionsAreToldApartFromFailedStatements() {
        assertTrue(HomeOutage.connectionLost(new CompletionException(new ConnectException("Connection refused"))));
        assertTrue(HomeOutage.connectionLost(new IOException("Broken pipe")));
        assertTrue(HomeOutage.connectionLost(ClosedConnectionException.INSTANCE));
        assertTrue(HomeOutage.connectionLost(new PgException("terminating connection due to administrator command",
                "FATAL", "57P01", null)));
        assertTrue(HomeOutage.connectionLost(new PgException("the database system is starting up", "FATAL", "57P03",
                null)));
        assertFalse(HomeOutage.connectionLost(new PgException("duplicate key", "ERROR", "23505", null)));
        assertFalse(HomeOutage.connectionLost(new IllegalStateException("bug")));
    }

    @Test
    void anOutageOpensOnTheFirstLostConnectionAndClosesWhenHomeAnswers() {
        HomeOutage outage = new HomeOutage();
        outage.answered(); // nothing to close
        assertFalse(outage.away());
        assertFalse(outage.failed(new PgException("syntax error", "ERROR", "42601", null), "a step"),
                "a failed statement is the caller's to report");
        assertFalse(outage.away());
        assertTrue(outage.failed(new ConnectException("Connection refused"), "the rollout poll"));
        assertTrue(outage.failed(new ConnectException("Connection refused"), "the rollout poll"));
        assertTrue(outage.away());
        outage.answered();
        assertFalse(outage.away());
    }
}
