package io.flotilla.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Typed configuration of Flotilla itself; defaults and the environment variables live in application.properties. */
@ConfigMapping(prefix = "flotilla")
public interface FlotillaConfig {

    Catalog catalog();

    Execution execution();

    Pool pool();

    Rollout rollout();

    Locks locks();

    /**
     * How every migration step (and seed, maintenance job) waits for the table locks it needs while applications keep
     * using the tables: short {@code lock_timeout} attempts with jittered pauses, within a budget per step. A rollout's
     * strategy and a migration's directives override these.
     */
    interface Locks {
        /**
         * {@code lock_timeout} of each attempt in turn, the last one repeating ({@code FLOTILLA_LOCK_TIMEOUTS}); a lock
         * not granted in time rolls the attempt back, so that queued application queries go on, and the step is tried
         * again.
         */
        @WithDefault("100ms,200ms,500ms,1s,2s")
        java.util.List<Duration> timeouts();

        /** Time a step may spend on attempts and pauses before it ends as {@code lock-timeout} ({@code FLOTILLA_LOCK_BUDGET}). */
        @WithDefault("30s")
        Duration budget();

        /** {@code statement_timeout} of every step's statements; 0 is off ({@code FLOTILLA_STATEMENT_TIMEOUT}). */
        @WithDefault("0s")
        Duration statementTimeout();

        /**
         * Whether the ledger keeps the first 200 characters of the blocking session's query next to its pid and
         * application ({@code FLOTILLA_LOCK_RECORD_QUERY}); off where queries may carry personal data.
         */
        @WithDefault("true")
        boolean recordQuery();
    }

    /**
     * Per maintenance job, by name ({@code refresh-materialized-views}, {@code vacuum-analyze}, or a custom job's
     * file name): {@code flotilla.maintenance."<job>".cron} and {@code .enabled}.
     */
    Map<String, MaintenanceJob> maintenance();

    interface MaintenanceJob {
        /** Quartz cron expression (seconds first), replacing the job's default. */
        Optional<String> cron();

        /** A disabled job is not scheduled (and is unscheduled if it was). */
        @WithDefault("true")
        boolean enabled();
    }

    Monitoring monitoring();

    Servers servers();

    Fault fault();

    /**
     * Test hooks that make the process die at a chosen moment, so that process-level tests can show what survives a
     * crash there. All off by default; never switch one on in a deployment.
     */
    interface Fault {
        /**
         * Test hook ({@code FLOTILLA_FAULT_HALT_BEFORE_LEDGER_COPY}): when true, a run on a server other than home
         * halts the JVM ({@code Runtime.halt(137)}, what SIGKILL leaves: no shutdown hooks, nothing flushed) after the
         * server committed its steps and before they are copied into the home ledger. Only for tests.
         */
        @WithDefault("false")
        boolean haltBeforeLedgerCopy();
    }

    interface Servers {
        /** How often every tenant server that is not offline is asked {@code SELECT 1}. */
        @WithDefault("15s")
        Duration checkInterval();

        /** How long a server may take to answer that check before it counts as unreachable. */
        @WithDefault("3s")
        Duration checkTimeout();

        /** How often every server's own ledger is compared with the home ledger and what it lacks is copied. */
        @WithDefault("60s")
        Duration reconcileInterval();
    }

    interface Monitoring {
        /** How often the monitoring gauges are read from the database (one query each time, never per scrape). */
        @WithDefault("60s")
        Duration refreshInterval();
    }

    interface Rollout {
        /** How often each replica looks for rollouts to run or resume. */
        @WithDefault("2s")
        Duration pollInterval();

        /** How often the owner of a rollout heartbeats and reads back pause or cancel requests. */
        @WithDefault("1s")
        Duration heartbeatInterval();

        /** On SIGTERM, how long in-flight schemas may take to finish before the process stops anyway. */
        @WithDefault("30s")
        Duration shutdownGrace();

        /** While a server cannot be reached, how often a rollout with companies waiting for it tries it again. */
        @WithDefault("10s")
        Duration serverRetry();

        /** Schemas in flight at once when a request does not say. */
        @WithDefault("4")
        int defaultMaxParallel();
    }

    interface Pool {
        /** Longest wait to connect, or for a free pooled connection ({@code DB_POOL_CONNECTION_TIMEOUT}, ms). */
        @WithDefault("30s")
        Duration connectionTimeout();
    }

    interface Catalog {
        /** Directory holding the migration files ({@code MIGRATIONS_DIR}). */
        @WithDefault("./migrations")
        Path dir();

        /** Replace {@code ${name}} placeholders in the whole directory; a file can still opt out. */
        @WithDefault("true")
        boolean placeholders();

        /**
         * Schema that extensions created by migrations go to ({@code CREATE EXTENSION} without {@code SCHEMA}), shared
         * by every company and on every company's search path after its own schema; it must exist.
         */
        @WithDefault("public")
        String extensionSchema();
    }

    interface Execution {
        /** How long an apply waits for another process holding the same schema's advisory lock. */
        @WithDefault("60s")
        Duration lockWait();

        /** Log every step (version, schema, outcome, duration) at INFO ({@code LOG_MIGRATIONS}). */
        @WithDefault("false")
        boolean logMigrations();

        /** Company schemas a maintenance run works on at once. */
        @WithDefault("4")
        int maintenanceParallelism();

        /** How often ledger rows left "running" by dead processes are looked for and closed. */
        @WithDefault("30s")
        Duration staleStepSweep();

        /** Name recorded as {@code executed_by} in the ledger; defaults to the host name. */
        Optional<String> instanceName();
    }
}
