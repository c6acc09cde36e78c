package io.flotilla.verification;

import io.flotilla.catalog.LintRule;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lint rule table of docs/verification-and-lint.md and the code's rules are the same list, with the same default
 * levels.
 */
class LintRulesDocsTest {

    static final String HEADER = "| rule | level | catches | instead |";

    @Test
    void theDocsTableListsEveryRuleAtItsDefaultLevel() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("docs/verification-and-lint.md"));
        int at = lines.indexOf(HEADER);
        assertTrue(at >= 0, "docs/verification-and-lint.md has the lint rule table");
        Map<String, String> documented = new LinkedHashMap<>();
        for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            String rule = cells[1].trim().replace("`", "");
            assertEquals(null, documented.put(rule, cells[2].trim()), "listed twice: " + rule);
        }
        Map<String, String> code = new LinkedHashMap<>();
        for (LintRule rule : LintRule.values()) {
            code.put(rule.id(), rule.defaultLevel().id());
        }
        code.put(LintGuide.TIMEOUT_RULE, "runner"); // met by the runner, not checked
        code.put(LintGuide.NESTING_RULE, "catalog"); // refused when the catalog loads, not checked
        assertEquals(code, documented);
    }

    @Test
    void everyRuleHasASuggestion() {
        for (LintRule rule : LintRule.values()) {
            assertNotNull(LintGuide.suggestion(rule), rule.id());
        }
    }
}
