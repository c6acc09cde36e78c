package io.flotilla.maintenance;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Keeps Quartz's clustered store in line with the maintenance catalog at start-up: one durable, recoverable job
 * per definition, with a cron trigger when enabled. Every replica does this; replacing is idempotent, and the
 * store's row locks make each firing run on exactly one replica.
 */
@ApplicationScoped
public class MaintenanceScheduler {

    static final String GROUP = "flotilla-maintenance";

    private final Scheduler quartz;
    private final MaintenanceCatalog catalog;

    public MaintenanceScheduler(Scheduler quartz, MaintenanceCatalog catalog) {
        this.quartz = quartz;
        this.catalog = catalog;
    }

    void start(@Observes StartupEvent event) throws SchedulerException {
        for (MaintenanceJobDefinition job : catalog.jobs()) {
            JobDetail detail = JobBuilder.newJob(MaintenanceQuartzJob.class)
                    .withIdentity(JobKey.jobKey(job.name(), GROUP))
                    .withDescription(job.description())
                    .usingJobData(MaintenanceQuartzJob.JOB, job.name())
                    .storeDurably()
                    .requestRecovery() // a replica dying mid-run: another one runs the firing again
                    .build();
            TriggerKey triggerKey = TriggerKey.triggerKey(job.name(), GROUP);
            if (job.enabled()) {
                Trigger trigger = TriggerBuilder.newTrigger().withIdentity(triggerKey).forJob(detail)
                        .withSchedule(CronScheduleBuilder.cronSchedule(job.cron())
                                .withMisfireHandlingInstructionFireAndProceed()) // missed while down: run once now
                        .build();
                quartz.scheduleJob(detail, Set.of(trigger), true);
            } else {
                quartz.addJob(detail, true);
                quartz.unscheduleJob(triggerKey);
            }
        }
        // Custom jobs whose files were removed are removed from the store too.
        for (JobKey key : quartz.getJobKeys(GroupMatcher.jobGroupEquals(GROUP))) {
            if (catalog.jobs().stream().noneMatch(j -> j.name().equals(key.getName()))) {
                Log.infof("Removing maintenance job %s: its file is gone", key.getName());
                quartz.deleteJob(key);
            }
        }
    }

    /** Fires the job now, once, on whichever replica acquires it, for the run already recorded. */
    public void runNow(String job, UUID runId) {
        try {
            quartz.triggerJob(JobKey.jobKey(job, GROUP), new JobDataMap(Map.of(MaintenanceQuartzJob.RUN_ID, runId.toString())));
        } catch (SchedulerException e) {
            throw new IllegalStateException("Quartz refused to fire " + job + ": " + e.getMessage(), e);
        }
    }

    public OffsetDateTime nextFireTime(String job) {
        try {
            Trigger trigger = quartz.getTrigger(TriggerKey.triggerKey(job, GROUP));
            return trigger == null || trigger.getNextFireTime() == null ? null
                    : trigger.getNextFireTime().toInstant().atOffset(ZoneOffset.UTC);
        } catch (SchedulerException e) {
            return null;
        }
    }
}
