package io.flotilla.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** What every process-level IT shares: a fresh database, service processes started on it, and their clean-up. */
abstract class ProcessTestSupport {

    protected ItDatabase db;
    protected final List<ServiceProcess> processes = new ArrayList<>();

    /** The database this test runs on; restart tests need one they own. */
    protected ItDatabase database() {
        return ItDatabase.create();
    }

    @BeforeEach
    void openDatabase() {
        db = database();
    }

    @AfterEach
    void cleanUp() {
        try {
            processes.forEach(ServiceProcess::close);
        } finally {
            if (db != null) { // null when the test was skipped before it got one
                db.close();
            }
        }
    }

    /** Starts a service process (instance name {@code name}) and waits until it is ready. */
    protected ServiceProcess started(String name, Map<String, String> env) throws Exception {
        ServiceProcess p = ServiceProcess.start(name, getClass().getSimpleName() + "-" + name.replace("it-", ""), db, env);
        processes.add(p);
        p.awaitReady(Duration.ofSeconds(60));
        return p;
    }

    protected Supplier<String> logs() {
        return () -> ServiceProcess.logs(processes, 80);
    }
}
