package io.flotilla.rollout;

import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;

import java.time.OffsetDateTime;
import java.util.Date;
import java.util.UUID;

/**
 * Scheduled rollouts on Quartz's clustered store: one job and one trigger per rollout, at its {@code startAt}. The
 * store's row locks make a firing run on exactly one replica, a replica that dies before it fires leaves the
 * trigger to the others, and a firing missed while every replica was down runs once at the next start. The job
 * only moves the rollout from {@code scheduled} to planned and pending, guarded by that state, so a second firing
 * would change nothing.
 */
@ApplicationScoped
public class RolloutSchedule {

    static final String GROUP = "flotilla-rollouts";
    static final String ROLLOUT_ID = "rolloutId";

    private final Scheduler quartz;

    public RolloutSchedule(Scheduler quartz) {
        this.quartz = quartz;
    }

    /** Blocking (Quartz's JDBC store): call off the event loop. */
    void schedule(UUID rollout, OffsetDateTime startAt) {
        var job = JobBuilder.newJob(StartJob.class).withIdentity(key(rollout))
                .usingJobData(ROLLOUT_ID, rollout.toString()).requestRecovery().build();
        var trigger = TriggerBuilder.newTrigger().withIdentity(rollout.toString(), GROUP).forJob(job)
                .startAt(Date.from(startAt.toInstant()))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
                .build();
        try {
            quartz.scheduleJob(job, trigger);
        } catch (SchedulerException e) {
            throw new IllegalStateException("Quartz refused to schedule rollout " + rollout + ": " + e.getMessage(), e);
        }
    }

    /** Blocking; forgets the rollout's trigger (cancelled before it fired). Nothing to forget is fine. */
    void unschedule(UUID rollout) {
        try {
            quartz.deleteJob(key(rollout));
        } catch (SchedulerException e) {
            throw new IllegalStateException("Quartz refused to unschedule rollout " + rollout + ": " + e.getMessage(), e);
        }
    }

    /** Whether Quartz holds a trigger for the rollout (blocking). */
    public boolean scheduled(UUID rollout) {
        try {
            return quartz.checkExists(key(rollout));
        } catch (SchedulerException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JobKey key(UUID rollout) {
        return JobKey.jobKey(rollout.toString(), GROUP);
    }

    /** The firing: built by Quarkus as a CDI bean, it blocks its Quartz thread until the rollout is started. */
    @Dependent
    @Unremovable
    @DisallowConcurrentExecution
    public static class StartJob implements Job {

        private final RolloutService service;

        public StartJob(RolloutService service) {
            this.service = service;
        }

        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            UUID id = UUID.fromString(context.getMergedJobDataMap().getString(ROLLOUT_ID));
            try {
                service.startScheduled(id).await().indefinitely();
            } catch (RuntimeException e) {
                throw new JobExecutionException("scheduled rollout " + id + " did not start: " + e.getMessage(), e);
            }
        }
    }
}
