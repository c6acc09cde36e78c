package io.flotilla.lock;

import io.flotilla.catalog.CatalogProblem;
import io.flotilla.catalog.MigrationResolver;
import io.flotilla.catalog.MigrationScript;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock policy as data: durations, attempts, precedence, the SET statements, and the directives. No database. */
class LockPolicyTest {

    static final LockPolicy CONFIGURED = new LockPolicy(List.of(Duration.ofMillis(100), Duration.ofSeconds(2)),
            Duration.ofSeconds(30), Duration.ZERO);

    @Test
    void durationsAreReadAsWrittenAndBounded() {
        assertEquals(Optional.of(Duration.ofMillis(100)), LockPolicy.parseDuration("100ms"));
        assertEquals(Optional.of(Duration.ofMinutes(5)), LockPolicy.parseDuration(" 5m "));
        assertEquals(Optional.of(Duration.ZERO), LockPolicy.parseDuration("0"));
        assertEquals(Optional.empty(), LockPolicy.parseDuration("-1s"));
        assertEquals(Optional.empty(), LockPolicy.parseDuration("soon"));
        assertEquals(Optional.empty(), LockPolicy.parseDuration("25h"));
        assertEquals("0ms", LockPolicy.badTimeout(List.of("1s", "0ms")));
        assertNull(LockPolicy.badTimeout(List.of("1s", "2s")));
    }

    @Test
    void theLastTimeoutRepeatsAndNoTimeoutsMeansOneAttemptWithout() {
        assertEquals(Duration.ofMillis(100), CONFIGURED.timeoutOf(1));
        assertEquals(Duration.ofSeconds(2), CONFIGURED.timeoutOf(2));
        assertEquals(Duration.ofSeconds(2), CONFIGURED.timeoutOf(9));
        assertNull(LockPolicy.UNBOUNDED.timeoutOf(1));
        assertEquals("", LockPolicy.UNBOUNDED.localSettings(1), "as before: nothing sent");
        assertEquals("SET LOCAL lock_timeout = 2000;\n", CONFIGURED.localSettings(3));
        LockPolicy withStatement = CONFIGURED.with(new LockPolicy.Overrides(null, null, Duration.ofMinutes(10)));
        assertEquals("SET LOCAL lock_timeout = 100;\nSET LOCAL statement_timeout = 600000;\n",
                withStatement.localSettings(1));
        assertEquals("SET lock_timeout = 100; SET statement_timeout = 600000",
                withStatement.sessionSettings(1));
    }

    @Test
    void aMigrationsDirectivesWinOverTheRolloutsWhichWinOverTheConfiguration() {
        LockPolicy.Overrides rollout = new LockPolicy.Overrides(List.of(), Duration.ofSeconds(5), null);
        LockPolicy.Overrides file = new LockPolicy.Overrides(List.of(Duration.ofSeconds(1)), null, null);
        LockPolicy policy = CONFIGURED.with(rollout.then(file));
        assertEquals(List.of(Duration.ofSeconds(1)), policy.timeouts());
        assertEquals(Duration.ofSeconds(5), policy.budget());
        assertEquals(Duration.ZERO, policy.statementTimeout());
        assertEquals(List.of(), CONFIGURED.with(rollout.then(LockPolicy.Overrides.NONE)).timeouts());
        assertEquals(List.of(Duration.ofSeconds(2)), CONFIGURED.longestOnly().timeouts());
        assertEquals(List.of(), LockPolicy.UNBOUNDED.longestOnly().timeouts());
    }

    @Test
    void directivesAreParsedAndABadValueIsACatalogProblemNamingTheFile() {
        List<CatalogProblem> problems = new ArrayList<>();
        MigrationScript script = MigrationResolver.parse("5_x.sql", "-- flotilla:lock-timeouts 1s, 5s\n"
                + "-- flotilla:lock-budget 5m\n-- flotilla:statement-timeout 10m\nALTER TABLE t ADD c int;", true, problems);
        assertEquals(List.of(), problems);
        assertEquals(new LockPolicy.Overrides(List.of(Duration.ofSeconds(1), Duration.ofSeconds(5)),
                Duration.ofMinutes(5), Duration.ofMinutes(10)), script.locks());
        for (String bad : List.of("-- flotilla:lock-timeouts 1s,later", "-- flotilla:lock-timeouts",
                "-- flotilla:lock-budget forever", "-- flotilla:statement-timeout 10 minutes")) {
            problems.clear();
            assertNull(MigrationResolver.parse("6_y.sql", bad + "\nSELECT 1;", true, problems), bad);
            assertEquals(1, problems.size(), bad);
            assertTrue(problems.get(0).message().startsWith("6_y.sql"), problems.get(0).message());
            assertEquals(List.of("6_y.sql"), problems.get(0).files());
        }
    }
}
