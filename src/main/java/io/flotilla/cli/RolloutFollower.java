package io.flotilla.cli;

import io.flotilla.client.model.Direction;
import io.flotilla.client.model.Failure;
import io.flotilla.client.model.Rollout;
import io.flotilla.client.model.RolloutState;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Watches a rollout until it ends (GET /api/v1/rollouts/{id}), showing progress on stderr: a live bar on a terminal,
 * else one line per wave. Watching changes nothing: on {@code --timeout} or Ctrl-C the rollout goes on in the service,
 * and {@code flotilla follow ID} attaches again. The outcome is 0 when the rollout succeeded with no failed company,
 * 1 when a company failed or the rollout ended failed or cancelled, 4 when the timeout came first.
 */
final class RolloutFollower {

    static final Set<RolloutState> ENDED = Set.of(RolloutState.SUCCEEDED, RolloutState.FAILED, RolloutState.CANCELLED);
    /** How long the service may be unreachable (a rolling deploy of its replicas) before following gives up. */
    static final Duration UNREACHABLE_GRACE = Duration.ofSeconds(60);
    /** Process exit code after Ctrl-C, the shell's 128 + SIGINT. */
    static final int INTERRUPTED = 130;

    private final ServiceConnection service;
    private final Output output;
    private final boolean terminal;
    private final String verb;

    RolloutFollower(ServiceConnection service, Output output, boolean terminal, String verb) {
        this.service = service;
        this.output = output;
        this.terminal = terminal;
        this.verb = verb;
    }

    Outcome follow(Rollout first, Duration timeout) {
        long startedAt = System.nanoTime();
        long deadline = timeout == null ? Long.MAX_VALUE : startedAt + timeout.toNanos();
        Progress progress = terminal ? new Bar(output.err(), first, startedAt) : new WaveLines(output.err(), first, startedAt);
        AtomicReference<Rollout> last = new AtomicReference<>(first);
        AtomicBoolean reported = new AtomicBoolean();
        Thread onCtrlC = new Thread(() -> {
            if (reported.compareAndSet(false, true)) {
                progress.abandon();
                output.fail(verb, new CliFailure(ExitCode.GAVE_UP, "stopped following; rollout " + first.getId()
                        + " goes on in the service: `flotilla follow " + first.getId() + "` attaches again", null, null, null,
                        last.get()), INTERRUPTED);
            }
        }, "flotilla-follow-interrupted");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            Outcome outcome = watch(first, deadline, timeout, progress, last);
            if (!reported.compareAndSet(false, true)) {
                waitForShutdown(); // Ctrl-C came first and has reported; the JVM is going down
            }
            return outcome;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or has run
            }
        }
    }

    private Outcome watch(Rollout first, long deadline, Duration timeout, Progress progress, AtomicReference<Rollout> last) {
        Rollout r = first;
        long unreachableSince = 0;
        progress.update(r);
        while (!ENDED.contains(r.getState())) {
            if (System.nanoTime() >= deadline) {
                progress.abandon();
                return Outcome.of(ExitCode.GAVE_UP, r, summary(r), "gave up after " + timeout + ": rollout " + r.getId()
                        + " is still " + r.getState() + " and goes on in the service; `flotilla follow " + r.getId()
                        + "` attaches again");
            }
            sleep(terminal ? 500 : 1000, deadline);
            try {
                Rollout now = service.call(() -> service.rollouts().getRollout(first.getId()));
                unreachableSince = 0;
                r = now;
                last.set(r);
                progress.update(r);
            } catch (CliFailure f) {
                boolean transientFailure = f.status() == null && f.type() == null
                        || f.status() != null && (f.status() == 502 || f.status() == 503 || f.status() == 504);
                if (!transientFailure) {
                    progress.abandon();
                    throw f.withData(r);
                }
                if (unreachableSince == 0) {
                    unreachableSince = System.nanoTime();
                    output.err().println((terminal ? "\n" : "") + "lost the service (" + f.getMessage() + "); retrying for up to "
                            + UNREACHABLE_GRACE.toSeconds() + " s");
                } else if (System.nanoTime() - unreachableSince > UNREACHABLE_GRACE.toNanos()) {
                    progress.abandon();
                    throw f.withData(r);
                }
            }
        }
        progress.end(r);
        return ended(r);
    }

    /** The outcome of a rollout that has ended. */
    static Outcome ended(Rollout r) {
        long failed = count(r, "failed");
        boolean ok = r.getState() == RolloutState.SUCCEEDED && failed == 0;
        String problem = "rollout " + r.getId() + " " + r.getState() + ": " + (r.getError() != null ? r.getError()
                : failed + (failed == 1 ? " company" : " companies") + " failed");
        return Outcome.of(ok ? ExitCode.OK : ExitCode.FAILED, r, summary(r), problem);
    }

    /** The result a person reads on stdout: counts, steps and time, then each failure with its PostgreSQL error. */
    static String summary(Rollout r) {
        StringBuilder s = new StringBuilder("rollout ").append(r.getId()).append(' ').append(r.getState()).append(": ")
                .append(done(r)).append('/').append(r.getTotalTargets()).append(" companies done (")
                .append(count(r, "succeeded")).append(" succeeded, ").append(count(r, "skipped")).append(" skipped, ")
                .append(count(r, "failed")).append(" failed");
        if (count(r, "cancelled") > 0) {
            s.append(", ").append(count(r, "cancelled")).append(" cancelled");
        }
        if (count(r, "waiting") > 0) {
            s.append(", ").append(count(r, "waiting")).append(" waiting for their server");
        }
        s.append(')');
        // Ledger steps: applied going up, rolled back going down.
        boolean down = r.getDirection() == Direction.DOWN;
        long steps = r.getSteps() == null ? 0 : r.getSteps().getOrDefault(down ? "rolled_back" : "applied", 0L);
        s.append(", ").append(steps).append(steps == 1 ? " step" : " steps").append(down ? " rolled back" : " applied");
        if (r.getStartedAt() != null && r.getFinishedAt() != null) {
            s.append(" in ").append(seconds(Duration.between(r.getStartedAt(), r.getFinishedAt()).toMillis()));
        }
        s.append('\n');
        List<Failure> failures = r.getFailures() == null ? List.of() : r.getFailures();
        for (Failure f : failures) {
            s.append("  failed: ").append(f.getSchemaName()).append(" version ").append(f.getVersion()).append(": ")
                    .append(StatusVerb.error(f.getSqlState(), f.getError())).append('\n');
        }
        if (r.getError() != null) {
            s.append("  ").append(r.getError()).append('\n');
        }
        return s.toString();
    }

    static long count(Rollout r, String status) {
        return r.getTargets() == null ? 0 : r.getTargets().getOrDefault(status, 0L);
    }

    /** Companies finished one way or another; skipped ones (nothing to do) count as done. */
    static long done(Rollout r) {
        return count(r, "succeeded") + count(r, "failed") + count(r, "skipped") + count(r, "cancelled");
    }

    static String seconds(long millis) {
        return String.format("%.1f s", millis / 1000.0);
    }

    private static void sleep(long millis, long deadline) {
        long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
        try {
            Thread.sleep(Math.min(millis, Math.max(left, 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCode.GAVE_UP, "interrupted while following", null, null, null, null);
        }
    }

    private static void waitForShutdown() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How progress is shown while following. */
    interface Progress {
        void update(Rollout r);

        /** The rollout ended: complete the display. */
        void end(Rollout r);

        /** Following stops before the end (timeout, Ctrl-C, an error). */
        void abandon();
    }

    /** A terminal: one line redrawn in place, with companies done, failures, rate and ETA. */
    static final class Bar implements Progress {
        static final int WIDTH = 30;
        private final PrintStream err;
        private final long startedAt;
        private final long doneAtStart;
        private boolean drawn;

        Bar(PrintStream err, Rollout first, long startedAt) {
            this.err = err;
            this.startedAt = startedAt;
            this.doneAtStart = done(first);
            err.println(header(first) + "; Ctrl-C stops following, not the rollout");
        }

        @Override
        public void update(Rollout r) {
            err.print("\r" + line(r, doneAtStart, System.nanoTime() - startedAt) + "\033[K");
            err.flush();
            drawn = true;
        }

        @Override
        public void end(Rollout r) {
            update(r);
            abandon();
        }

        @Override
        public synchronized void abandon() {
            if (drawn) {
                err.println();
                drawn = false;
            }
        }

        static String line(Rollout r, long doneAtStart, long elapsedNanos) {
            long total = r.getTotalTargets() == null ? 0 : r.getTotalTargets();
            long done = done(r);
            int filled = total == 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
            double elapsed = elapsedNanos / 1e9;
            double rate = elapsed > 0.5 ? (done - doneAtStart) / elapsed : 0;
            String eta = rate > 0 && done < total ? clock((long) Math.ceil((total - done) / rate)) : "--:--";
            return String.format("[%s%s] %d/%d companies  %d failed%s  %.1f/s  ETA %s  wave %d/%d  %s",
                    "#".repeat(filled), "-".repeat(WIDTH - filled), done, total, count(r, "failed"),
                    count(r, "waiting") > 0 ? "  " + count(r, "waiting") + " waiting" : "", rate, eta,
                    Math.min(nullToZero(r.getCurrentWave()) + 1, Math.max(1, nullToZero(r.getWaves()))),
                    Math.max(1, nullToZero(r.getWaves())), r.getState());
        }

        static String clock(long seconds) {
            return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                    : String.format("%d:%02d", seconds / 60, seconds % 60);
        }
    }

    /** Not a terminal (CI logs, pipes): a line when the rollout starts, when each wave is done, on pause and resume. */
    static final class WaveLines implements Progress {
        private final PrintStream err;
        private final long startedAt;
        private int wavesReported;
        private RolloutState state;

        WaveLines(PrintStream err, Rollout first, long startedAt) {
            this.err = err;
            this.startedAt = startedAt;
            this.wavesReported = nullToZero(first.getCurrentWave());
            this.state = first.getState();
            err.println(header(first));
            err.flush();
        }

        @Override
        public void update(Rollout r) {
            while (wavesReported < nullToZero(r.getCurrentWave())) {
                wave(r, ++wavesReported, "done");
            }
            if (r.getState() != state && (r.getState() == RolloutState.PAUSED || state == RolloutState.PAUSED)
                    && !ENDED.contains(r.getState())) {
                err.println("rollout " + r.getId() + " " + r.getState() + " at " + seconds(elapsedMillis()));
                err.flush();
            }
            state = r.getState();
        }

        @Override
        public void end(Rollout r) {
            update(r);
            // The last wave started is done now (or ended the rollout); waves never started get no line.
            if (nullToZero(r.getWaves()) > 0 && wavesReported <= nullToZero(r.getCurrentWave())) {
                wave(r, ++wavesReported, r.getState() == RolloutState.SUCCEEDED ? "done" : "ended");
            }
        }

        @Override
        public void abandon() {
            err.flush();
        }

        private void wave(Rollout r, int number, String what) {
            err.println(String.format("wave %d/%d %s: %d/%d companies done (%d succeeded, %d skipped, %d failed) at %s",
                    number, nullToZero(r.getWaves()), what, done(r), r.getTotalTargets(), count(r, "succeeded"),
                    count(r, "skipped"), count(r, "failed"), seconds(elapsedMillis())));
            err.flush();
        }

        private long elapsedMillis() {
            return (System.nanoTime() - startedAt) / 1_000_000;
        }
    }

    static String header(Rollout r) {
        int waves = nullToZero(r.getWaves());
        StringBuilder s = new StringBuilder("rollout ").append(r.getId()).append(' ').append(r.getState()).append(": ")
                .append(r.getDirection()).append(r.getTargetVersion() == null ? " to the latest version" : " to version "
                        + r.getTargetVersion()).append(", ").append(r.getTotalTargets()).append(" companies in ")
                .append(waves).append(waves == 1 ? " wave" : " waves");
        if (r.getStrategy() != null) {
            if (nullToZero(r.getStrategy().getCanary()) > 0) {
                s.append(" (canary ").append(r.getStrategy().getCanary()).append(')');
            }
            s.append(", up to ").append(r.getStrategy().getMaxParallel()).append(" at once");
        }
        if (nullToZero(r.getCurrentWave()) > 0 && !ENDED.contains(r.getState())) {
            s.append(", at wave ").append(r.getCurrentWave() + 1);
        }
        return s.toString();
    }

    private static int nullToZero(Integer i) {
        return i == null ? 0 : i;
    }
}
