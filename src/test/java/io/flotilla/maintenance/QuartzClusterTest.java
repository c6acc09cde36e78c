package io.flotilla.maintenance;

import io.flotilla.testsupport.Await;
import io.flotilla.testsupport.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two Quartz scheduler instances clustered over the service's own QRTZ tables (what two replicas are): every
 * firing runs exactly once, on one of them.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class QuartzClusterTest {

    static final Map<String, AtomicInteger> FIRES = new ConcurrentHashMap<>();
    static volatile DataSource shared;

    @Inject
    DataSource ds;

    /** Counts each firing by trigger name. */
    public static class CountingJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            FIRES.computeIfAbsent(context.getTrigger().getKey().getName(), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Hands Quartz the service's datasource (the same tables the service's own scheduler uses). */
    public static class SharedConnections implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return shared.getConnection();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public void initialize() {
        }
    }

    static Scheduler node(String id) throws SchedulerException {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "flotilla-cluster-test");
        p.setProperty("org.quartz.scheduler.instanceId", id);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", "2");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", "shared");
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "1000");
        p.setProperty("org.quartz.dataSource.shared.connectionProvider.class", SharedConnections.class.getName());
        Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
        // The factory caches schedulers by name; two members of one cluster share that name.
        SchedulerRepository.getInstance().remove("flotilla-cluster-test");
        return scheduler;
    }

    @Test
    void twoSchedulerInstancesOnOneStoreFireEachTriggerOnce() throws Exception {
        shared = ds;
        Scheduler a = node("node-a");
        Scheduler b = node("node-b");
        try {
            a.start();
            b.start();
            var job = JobBuilder.newJob(CountingJob.class).withIdentity("counting", "cluster-test").storeDurably().build();
            a.addJob(job, true);
            List<String> triggers = List.of("t1", "t2", "t3", "t4", "t5", "t6");
            Date at = new Date(System.currentTimeMillis() + 1500);
            for (String name : triggers) {
                (name.hashCode() % 2 == 0 ? a : b).scheduleJob(TriggerBuilder.newTrigger()
                        .withIdentity(name, "cluster-test").forJob(job).startAt(at).build());
            }
            // A fired one-shot trigger leaves the store; once all have, every firing has been handed out.
            Await.until("all triggers fired", () -> {
                try {
                    for (String name : triggers) {
                        if (a.getTrigger(TriggerKey.triggerKey(name, "cluster-test")) != null) {
                            return false;
                        }
                    }
                    return triggers.stream().allMatch(FIRES::containsKey);
                } catch (SchedulerException e) {
                    throw new IllegalStateException(e);
                }
            });
            a.standby();
            b.standby();
            for (String name : triggers) {
                assertEquals(1, FIRES.get(name).get(), "trigger " + name + " fired once across the two nodes");
            }
            a.deleteJob(job.getKey());
        } finally {
            a.shutdown(true);
            b.shutdown(true);
        }
    }
}
