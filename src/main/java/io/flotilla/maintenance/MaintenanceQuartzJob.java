package io.flotilla.maintenance;

import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.Dependent;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;

import java.util.UUID;

/**
 * The Quartz side of a maintenance job: Quarkus builds it as a CDI bean, so it gets the service injected. It
 * blocks its Quartz worker thread until the run is done, which is what lets Quartz recover a firing whose
 * replica died. One firing of a job at a time across the cluster.
 */
@Dependent
@Unremovable
@DisallowConcurrentExecution
public class MaintenanceQuartzJob implements Job {

    static final String JOB = "job";
    static final String RUN_ID = "runId";

    private final MaintenanceService service;

    public MaintenanceQuartzJob(MaintenanceService service) {
        this.service = service;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        String job = context.getMergedJobDataMap().getString(JOB);
        String runId = context.getMergedJobDataMap().getString(RUN_ID);
        try {
            service.execute(job, runId == null ? null : UUID.fromString(runId), context.isRecovering())
                    .await().indefinitely();
        } catch (RuntimeException e) {
            throw new JobExecutionException("maintenance job " + job + " failed: " + e.getMessage(), e);
        }
    }
}
