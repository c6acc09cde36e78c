package io.flotilla.cli;

import io.flotilla.client.model.Direction;
import io.flotilla.client.model.Failure;
import io.flotilla.client.model.Rollout;
import io.flotilla.client.model.RolloutState;
import io.flotilla.client.model.Strategy;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rollout's outcome, summary and progress display, from the rollout as the API shows it. */
class RolloutFollowerTest {

    static final UUID ID = UUID.fromString("3f1c2b9e-5d4a-4f7e-9c1b-2a6d8e0f4b13");

    static Rollout rollout(RolloutState state, int wave, Map<String, Long> targets) {
        return new Rollout().id(ID).direction(Direction.UP).state(state).totalTargets(10).waves(3).currentWave(wave)
                .strategy(new Strategy().canary(1).maxParallel(4).maxFailures(0)).targets(targets);
    }

    @Test
    void exitCodeOfAnEndedRollout() {
        assertEquals(ExitCode.OK, RolloutFollower.ended(rollout(RolloutState.SUCCEEDED, 2,
                Map.of("succeeded", 7L, "skipped", 3L))).code());
        Outcome failed = RolloutFollower.ended(rollout(RolloutState.FAILED, 0, Map.of("failed", 1L, "cancelled", 9L))
                .error("canary failed").failures(List.of(new Failure().schemaName("acme").version("3").sqlState("42P07")
                        .error("relation \"x\" already exists"))));
        assertEquals(ExitCode.FAILED, failed.code());
        assertTrue(failed.text().contains("  failed: acme version 3: [42P07] relation \"x\" already exists"), failed.text());
        assertEquals("rollout " + ID + " failed: canary failed", failed.problem());
        assertEquals(ExitCode.FAILED, RolloutFollower.ended(rollout(RolloutState.CANCELLED, 1, Map.of("succeeded", 4L))).code());
        assertEquals(ExitCode.FAILED, RolloutFollower.ended(rollout(RolloutState.SUCCEEDED, 2,
                Map.of("succeeded", 9L, "failed", 1L))).code(), "a failed company fails the verb whatever the state");
    }

    @Test
    void theSummaryCountsTheStepsOfTheRolloutsDirection() {
        Rollout up = rollout(RolloutState.SUCCEEDED, 2, Map.of("succeeded", 10L)).steps(Map.of("applied", 70L));
        assertTrue(RolloutFollower.summary(up).contains("), 70 steps applied"), RolloutFollower.summary(up));
        Rollout down = rollout(RolloutState.SUCCEEDED, 2, Map.of("succeeded", 10L)).direction(Direction.DOWN).targetVersion("5")
                .steps(Map.of("rolled_back", 20L));
        assertTrue(RolloutFollower.summary(down).contains("), 20 steps rolled back"), RolloutFollower.summary(down));
    }

    @Test
    void skippedCompaniesCountAsDone() {
        Rollout r = rollout(RolloutState.RUNNING, 1, Map.of("succeeded", 2L, "skipped", 3L, "running", 2L, "pending", 3L));
        assertEquals(5, RolloutFollower.done(r));
        String line = RolloutFollower.Bar.line(r, 3, 2_000_000_000L);
        assertTrue(line.startsWith("[###############---------------] 5/10 companies  0 failed  1.0/s  ETA 0:05  wave 2/3"), line);
    }

    @Test
    void withoutATerminalOneLinePerWave() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        RolloutFollower.WaveLines lines = new RolloutFollower.WaveLines(err, rollout(RolloutState.PENDING, 0, Map.of()), System.nanoTime());
        lines.update(rollout(RolloutState.RUNNING, 0, Map.of("running", 1L)));
        lines.update(rollout(RolloutState.RUNNING, 2, Map.of("succeeded", 5L))); // a poll that missed a wave
        lines.end(rollout(RolloutState.SUCCEEDED, 2, Map.of("succeeded", 10L)));
        List<String> printed = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, printed.size(), String.join("\n", printed));
        assertTrue(printed.get(0).startsWith("rollout " + ID + " pending: up to the latest version, 10 companies in 3 waves (canary 1)"), printed.get(0));
        assertTrue(printed.get(1).startsWith("wave 1/3 done: 5/10 companies done"), printed.get(1));
        assertTrue(printed.get(2).startsWith("wave 2/3 done: "), printed.get(2));
        assertTrue(printed.get(3).startsWith("wave 3/3 done: 10/10 companies done (10 succeeded, 0 skipped, 0 failed)"), printed.get(3));
    }
}
