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

/** The README's lint rule table and the code's rules are the same list, with the same default levels. */
class LintRulesReadmeTest {

    static final String HEADER = "| rule | level | catches | instead |";

    @Test
    void theReadmeTableListsEveryRuleAtItsDefaultLevel() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int at = lines.indexOf(HEADER);
        assertTrue(at >= 0, "README has the lint rule table");
        Map<String, String> readme = new LinkedHashMap<>();
        for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            String rule = cells[1].trim().replace("`", "");
            assertEquals(null, readme.put(rule, cells[2].trim()), "listed twice: " + rule);
        }
        Map<String, String> code = new LinkedHashMap<>();
        for (LintRule rule : LintRule.values()) {
            code.put(rule.id(), rule.defaultLevel().id());
        }
        code.put(LintGuide.TIMEOUT_RULE, "runner"); // met by the runner, not checked
        code.put(LintGuide.NESTING_RULE, "catalog"); // refused when the catalog loads, not checked
        assertEquals(code, readme);
    }

    @Test
    void everyRuleHasASuggestion() {
        for (LintRule rule : LintRule.values()) {
            assertNotNull(LintGuide.suggestion(rule), rule.id());
        }
    }
}
