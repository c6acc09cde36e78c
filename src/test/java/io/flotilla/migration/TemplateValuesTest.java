package io.flotilla.migration;

import io.flotilla.catalog.MigrationScript;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.tenant.CompanyRules;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one rule for what may be substituted into migration SQL, where settings are written and where values are used. */
class TemplateValuesTest {

    @ParameterizedTest
    @ValueSource(strings = {"1536", "1-2", "a/b", "gold", "-1", "2.5", "http://x:1/a+b", "a-b-c", "a/b/c", ""})
    void plainTokensAreSafe(String text) {
        assertEquals(Optional.empty(), TemplateValues.whyUnsafe(text), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1--", "--", "a--b", "a/*b", "/*", "x/*/"})
    void tokensThatOpenACommentAreNot(String text) {
        String why = TemplateValues.whyUnsafe(text).orElseThrow();
        assertTrue(why.contains("comment"), why);
        assertTrue(why.contains(text.contains("--") ? "'--'" : "'/*'"), why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1); DROP TABLE x", "a b", "it's", "$$", "a;b", "back\\slash", "*/"})
    void anythingButAPlainTokenIsNot(String text) {
        assertTrue(TemplateValues.whyUnsafe(text).orElseThrow().contains("plain token"), text);
    }

    @Test
    void nullAndTooLongAreNot() {
        assertTrue(TemplateValues.whyUnsafe(null).isPresent());
        assertTrue(TemplateValues.whyUnsafe("9".repeat(256)).isPresent());
        assertFalse(TemplateValues.whyUnsafe("9".repeat(255)).isPresent());
    }

    @Test
    void companySettingsUseTheSameRule() {
        assertEquals(Map.of("a", "1-2", "b", "a/b", "n", 768, "f", true), CompanyRules.settings(Map.of("a", "1-2", "b", "a/b", "n", 768, "f", true)));
        for (String bad : new String[] {"1--", "a/*b"}) {
            FlotillaException e = assertThrows(FlotillaException.class, () -> CompanyRules.settings(Map.of("tier", bad)));
            assertEquals(ErrorCode.INVALID_SETTINGS, e.code());
            assertTrue(e.getMessage().contains("settings.tier") && e.getMessage().contains("comment"), e.getMessage());
        }
        // Non-finite numbers have no SQL text; nested values are not tokens.
        assertThrows(FlotillaException.class, () -> CompanyRules.settings(Map.of("n", Double.POSITIVE_INFINITY)));
        assertThrows(FlotillaException.class, () -> CompanyRules.settings(Map.of("n", Map.of("x", 1))));
        assertEquals("1000", TemplateValues.settingText(new BigDecimal("1E+3")));
    }

    @Test
    void storedSettingsAndLookedUpValuesAreCheckedBeforeSubstitution() {
        MigrationScript script = MigrationScript.unchecked("002_t.sql", "CREATE TABLE t (x int DEFAULT ${dims});");
        // A row written before the rule (or by hand), and a value a tenant's data answers: both refused unrendered.
        FlotillaException stored = assertThrows(FlotillaException.class,
                () -> TemplateValues.resolve(tenant(Map.of("dims", "1--")), script, Map.of()));
        assertEquals(ErrorCode.UNSAFE_TEMPLATE_VALUE, stored.code());
        assertTrue(stored.getMessage().contains("settings.dims") && stored.getMessage().contains("'--'"), stored.getMessage());
        FlotillaException lookedUp = assertThrows(FlotillaException.class,
                () -> TemplateValues.resolve(tenant(Map.of()), script, Map.of("dims", "768 /* x")));
        assertEquals(ErrorCode.UNSAFE_TEMPLATE_VALUE, lookedUp.code());
        assertTrue(lookedUp.getMessage().contains("looked up"), lookedUp.getMessage());
        FlotillaException comment = assertThrows(FlotillaException.class,
                () -> TemplateValues.resolve(tenant(Map.of()), script, Map.of("dims", "7/*")));
        assertTrue(comment.getMessage().contains("'/*'"), comment.getMessage());

        assertEquals(Map.of("dims", "1-2"), TemplateValues.resolve(tenant(Map.of("dims", "1-2")), script, Map.of()));
        assertEquals(Map.of("dims", "768"), TemplateValues.resolve(tenant(Map.of()), script, Map.of("dims", "768")));
    }

    @Test
    void aValueThatMakesACommentWithTheSqlNextToItIsRefused() {
        MigrationScript minus = MigrationScript.unchecked("003_m.sql", "SELECT -${n}, ${n} - 1;");
        FlotillaException e = assertThrows(FlotillaException.class,
                () -> TemplateValues.resolve(tenant(Map.of("n", -1)), minus, Map.of()));
        assertEquals(ErrorCode.UNSAFE_TEMPLATE_VALUE, e.code());
        assertTrue(e.getMessage().contains("settings.n ('-1') would make '--'"), e.getMessage());
        assertEquals(Map.of("n", "1"), TemplateValues.resolve(tenant(Map.of("n", 1)), minus, Map.of()));

        MigrationScript times = MigrationScript.unchecked("004_t.sql", "SELECT ${x}*2, ${a}${b} FROM ${schema}.t;");
        FlotillaException slash = assertThrows(FlotillaException.class,
                () -> TemplateValues.resolve(tenant(Map.of("x", "4/", "a", "1", "b", "2")), times, Map.of()));
        assertTrue(slash.getMessage().contains("would make '/*'"), slash.getMessage());
        FlotillaException adjacent = assertThrows(FlotillaException.class,
                () -> TemplateValues.resolve(tenant(Map.of("x", "4", "a", "1-", "b", "-2")), times, Map.of()));
        assertTrue(adjacent.getMessage().contains("would make '--'"), adjacent.getMessage());
        assertEquals(Map.of("x", "4/2", "a", "a/", "b", "b-"),
                TemplateValues.resolve(tenant(Map.of("x", "4/2", "a", "a/", "b", "b-")), times, Map.of()));
    }

    private static MigrationTenant tenant(Map<String, Object> settings) {
        return new MigrationTenant() {
            private final UUID id = UUID.randomUUID();

            public UUID id() {
                return id;
            }

            public String companyName() {
                return "Acme";
            }

            public String schemaName() {
                return "acme";
            }

            public String server() {
                return "home";
            }

            public Map<String, Object> settings() {
                return settings;
            }

            public boolean migratable() {
                return true;
            }

            public FlotillaException notMigratable() {
                throw new UnsupportedOperationException();
            }

            public FlotillaException schemaMissing() {
                throw new UnsupportedOperationException();
            }
        };
    }
}
