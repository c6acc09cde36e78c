package io.flotilla.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code -- flotilla:name argument} lines of a script's leading comment block, read one way for every kind of
 * file (migrations, maintenance jobs); what each name means is the reader's business. A {@code -- flotilla:} line
 * deep in the SQL is just a comment.
 */
public final class Directives {

    /** Lenient about spacing and case, so that a near-miss is read (or reported), never silently skipped. */
    private static final Pattern DIRECTIVE = Pattern.compile("^--\\s*flotilla\\s*:\\s*([A-Za-z-]*)\\s*(.*?)\\s*$",
            Pattern.CASE_INSENSITIVE);

    /** One directive: its name as written, and the rest of the line, trimmed. */
    public record Directive(String name, String argument) {
    }

    /**
     * The leading comment block: its directives, and the text of its other comment lines ({@code --} and the
     * spaces after it removed), each in order.
     */
    public record Header(List<Directive> directives, List<String> comments) {
    }

    private Directives() {
    }

    public static Header leading(String sql) {
        List<Directive> directives = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        for (String line : sql.split("\n", -1)) {
            String trimmed = line.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!trimmed.startsWith("--")) {
                break;
            }
            Matcher m = DIRECTIVE.matcher(trimmed);
            if (m.matches()) {
                directives.add(new Directive(m.group(1), m.group(2)));
            } else {
                comments.add(trimmed.substring(2).trim());
            }
        }
        return new Header(List.copyOf(directives), List.copyOf(comments));
    }
}
