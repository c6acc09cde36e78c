package io.flotilla.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Splits and inspects PostgreSQL scripts with a small hand-written lexer, so that semicolons and
 * keywords inside strings, quoted identifiers, dollar-quoted bodies and comments are never mistaken
 * for statement structure.
 */
public final class SqlScript {

    /** Leading keywords of statements PostgreSQL refuses inside a transaction block (PreventInTransactionBlock). */
    private static final List<String> NO_TRANSACTION = List.of(
            "VACUUM", "CREATE DATABASE", "DROP DATABASE", "CREATE TABLESPACE", "DROP TABLESPACE",
            "CREATE SUBSCRIPTION", "DROP SUBSCRIPTION", "ALTER SYSTEM", "DISCARD ALL",
            "CREATE INDEX CONCURRENTLY", "CREATE UNIQUE INDEX CONCURRENTLY", "DROP INDEX CONCURRENTLY");

    /** Extension names and versions Flotilla repeats in its own statements: nothing that needs escaping. */
    private static final Pattern EXTENSION_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
    private static final int MAX_IDENTIFIER_BYTES = 63;

    private enum Kind { SPACE, COMMENT, WORD, STRING, QUOTED_IDENT, SYMBOL, EOF }

    private record Token(Kind kind, String text) {
        /** Keywords compare case-insensitively; symbols exactly; strings and quoted identifiers never match. */
        boolean is(String s) {
            return kind == Kind.WORD ? text.equalsIgnoreCase(s) : kind == Kind.SYMBOL && text.equals(s);
        }
    }

    private SqlScript() {
    }

    /**
     * Splits a script on top-level semicolons. Statements are trimmed and returned without their
     * terminating semicolon; whitespace and comments before a statement's first token are dropped,
     * comments within it are kept, and statements made only of whitespace/comments are omitted.
     */
    public static List<String> split(String sql) {
        return statements(sql).stream().map(Statement::text).toList();
    }

    /**
     * One statement of a script, where it stands: {@code text} as {@link #split} returns it, {@code start} the offset
     * of its first token, {@code end} the offset just past its terminating semicolon (past its text when none
     * follows), {@code line} the 1-based line it starts on.
     */
    public record Statement(String text, int start, int end, int line) {
    }

    /** {@link #split}, each statement with its place in the script: for messages that name a line, and for edits. */
    public static List<Statement> statements(String sql) {
        List<Statement> statements = new ArrayList<>();
        int line = 1;
        int counted = 0; // offset up to which newlines are counted into line
        List<Token> head = new ArrayList<>(); // first words, to spot CREATE [OR REPLACE] FUNCTION|PROCEDURE
        Lexer lexer = new Lexer(sql);
        int start = -1; // offset of the current statement's first token; -1 while none seen
        int parens = 0;
        int blocks = 0; // BEGIN ATOMIC ... END depth; CASE ... END inside counts too, as it also ends with END
        for (Kind kind; (kind = lexer.next()) != Kind.EOF; ) {
            if (kind == Kind.SPACE || kind == Kind.COMMENT) {
                continue;
            }
            Token token = lexer.token(kind);
            if (token.is(";") && blocks == 0) {
                if (start >= 0) {
                    statements.add(new Statement(sql.substring(start, lexer.start).trim(), start, lexer.pos, line));
                }
                start = -1;
                parens = 0;
                head.clear();
                continue;
            }
            if (start < 0) {
                start = lexer.start;
                line += (int) sql.substring(counted, start).chars().filter(c -> c == '\n').count();
                counted = start;
            }
            parens += token.is("(") ? 1 : token.is(")") ? -1 : 0;
            if (kind == Kind.WORD && head.size() < 4) {
                head.add(token);
            }
            // psql's heuristic: a block can only open at paren depth 0 of a routine definition.
            if (kind == Kind.WORD && parens == 0 && isRoutine(head)) {
                if (token.is("BEGIN") && lexer.nextWordIs("ATOMIC") || token.is("CASE") && blocks > 0) {
                    blocks++;
                } else if (token.is("END") && blocks > 0) {
                    blocks--;
                }
            }
        }
        if (start >= 0) {
            String text = sql.substring(start).trim();
            statements.add(new Statement(text, start, start + text.length(), line));
        }
        return statements;
    }

    /** Returns the text with every comment replaced by a single space; everything else is untouched. */
    public static String stripComments(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        Lexer lexer = new Lexer(sql);
        for (Kind kind; (kind = lexer.next()) != Kind.EOF; ) {
            out.append(kind == Kind.COMMENT ? " " : lexer.token(kind).text());
        }
        return out.toString();
    }

    /** True when PostgreSQL refuses to run the statement inside a transaction block. */
    public static boolean requiresNoTransaction(String statement) {
        List<Token> t = tokens(statement);
        if (NO_TRANSACTION.stream().anyMatch(keywords -> indexOf(t, keywords) == 0)) {
            return true;
        }
        if (indexOf(t, "REINDEX") == 0) {
            // REINDEX [(options)] {INDEX|TABLE|SCHEMA|DATABASE|SYSTEM} [CONCURRENTLY] name;
            // since PG14 CONCURRENTLY may also be an option: (CONCURRENTLY [boolean]).
            int kind = 1;
            boolean concurrently = false;
            if (is(t, 1, "(")) {
                for (kind = 2; kind < t.size() && !is(t, kind, ")"); kind++) {
                    concurrently |= is(t, kind, "CONCURRENTLY")
                            && !(is(t, kind + 1, "FALSE") || is(t, kind + 1, "OFF") || is(t, kind + 1, "0"));
                }
                kind++;
            }
            return concurrently || is(t, kind + 1, "CONCURRENTLY")
                    || is(t, kind, "SCHEMA") || is(t, kind, "DATABASE") || is(t, kind, "SYSTEM");
        }
        if (indexOf(t, "CLUSTER") == 0) { // only a bare CLUSTER (re-cluster every table) is refused
            return t.stream().allMatch(x -> x.is("CLUSTER") || x.is("VERBOSE") || x.kind() == Kind.SYMBOL);
        }
        if (indexOf(t, "ALTER TABLE") == 0) {
            int detach = indexOf(t, "DETACH PARTITION");
            return detach > 0 && indexOf(t.subList(detach, t.size()), "CONCURRENTLY") > 0;
        }
        return indexOf(t, "ALTER DATABASE") == 0 && indexOf(t, "SET TABLESPACE") > 0;
    }

    /**
     * True when the statement ends the transaction it runs in ({@code COMMIT}, {@code END}, {@code ABORT},
     * {@code ROLLBACK} but not {@code ROLLBACK TO} a savepoint, {@code PREPARE TRANSACTION}): what follows it would
     * no longer share the transaction.
     */
    public static boolean endsTransaction(String statement) {
        List<Token> t = tokens(statement);
        if (is(t, 0, "COMMIT") || is(t, 0, "END") || is(t, 0, "ABORT") || indexOf(t, "PREPARE TRANSACTION") == 0) {
            return true;
        }
        int to = is(t, 1, "WORK") || is(t, 1, "TRANSACTION") ? 2 : 1;
        return is(t, 0, "ROLLBACK") && !is(t, to, "TO");
    }

    /**
     * For {@code CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON ...} returns the index
     * name as PostgreSQL stores it (unquoted identifiers lower-cased, quoted ones verbatim, the last
     * part only if qualified); an empty list for any other statement or an unnamed index.
     */
    public static List<String> concurrentIndexNames(String statement) {
        List<Token> t = tokens(statement);
        int i = indexOf(t, "CREATE INDEX CONCURRENTLY") == 0 ? 3
                : indexOf(t, "CREATE UNIQUE INDEX CONCURRENTLY") == 0 ? 4 : -1;
        if (i < 0) {
            return List.of();
        }
        i += indexOf(t.subList(i, t.size()), "IF NOT EXISTS") == 0 ? 3 : 0;
        String name = null;
        for (; i < t.size() && !is(t, i, "ON"); i++) {
            Token part = t.get(i);
            if (part.kind() == Kind.WORD) {
                name = lowerAscii(part.text());
            } else if (part.kind() == Kind.QUOTED_IDENT) {
                name = part.text().substring(1, part.text().length() - 1).replace("\"\"", "\"");
            } else if (!part.is(".")) {
                return List.of();
            }
        }
        return name == null || i == t.size() ? List.of() : List.of(truncate(name));
    }

    /**
     * A {@code CREATE EXTENSION} statement that leaves the schema to the search path (no {@code SCHEMA} clause): under
     * a tenant's search path it would install the extension into that tenant's schema.
     *
     * @param name    the extension's name as PostgreSQL stores it
     * @param version the {@code VERSION} it asks for, as an SQL literal ({@code 'x'}), or null
     * @param cascade whether it says {@code CASCADE}
     */
    public record UnplacedExtension(String name, String version, boolean cascade) {
    }

    /** Whether an extension name or version is plain enough ({@code [A-Za-z0-9_.-]+}) to be spelled in SQL as is. */
    public static boolean isPlainName(String name) {
        return EXTENSION_NAME.matcher(name).matches();
    }

    /**
     * For {@code CREATE EXTENSION [IF NOT EXISTS] name [WITH] [VERSION v] [CASCADE]} without a {@code SCHEMA}
     * clause, the extension it creates; empty for any other statement, one with {@code SCHEMA}, or a name that is a
     * placeholder rather than an identifier.
     */

    public static Optional<UnplacedExtension> unplacedExtension(String statement) {
        List<Token> t = tokens(statement);
        if (indexOf(t, "CREATE EXTENSION") != 0) {
            return Optional.empty();
        }
        int i = indexOf(t, "CREATE EXTENSION IF NOT EXISTS") == 0 ? 5 : 2;
        if (i >= t.size() || !(t.get(i).kind() == Kind.WORD || t.get(i).kind() == Kind.QUOTED_IDENT)
                || t.get(i).text().contains("$") || i + 1 < t.size() && t.get(i + 1).is("{")) {
            return Optional.empty();
        }
        String name = identifier(t.get(i).text());
        if (!isPlainName(name)) {
            return Optional.empty(); // an odd name is left to the script as written, never spliced into SQL
        }
        String version = null;
        boolean cascade = false;
        for (int k = i + 1; k < t.size(); k++) {
            if (is(t, k, "SCHEMA")) {
                return Optional.empty();
            }
            if (is(t, k, "VERSION") && k + 1 < t.size()) {
                Token v = t.get(++k);
                String text = v.kind() == Kind.STRING && v.text().startsWith("'")
                        ? v.text().substring(1, v.text().length() - 1).replace("''", "'") : identifier(v.text());
                if (!isPlainName(text)) {
                    return Optional.empty();
                }
                version = "'" + text + "'";
            }
            cascade |= is(t, k, "CASCADE");
        }
        return Optional.of(new UnplacedExtension(name, version, cascade));
    }

    /**
     * The statement's tokens as written, without whitespace and comments: words, {@code 'strings'} (dollar-quoted
     * bodies too), {@code "quoted names"} and single-character symbols. A string or quoted name is one token, so
     * a keyword inside one never compares equal to the bare keyword.
     */
    public static List<String> lexemes(String sql) {
        return tokens(sql).stream().map(Token::text).toList();
    }

    /**
     * The name PostgreSQL gives the identifier a lexeme spells: a quoted one verbatim, an unquoted one with ASCII
     * letters folded to lower case, both truncated as PostgreSQL truncates them.
     */
    public static String identifier(String lexeme) {
        if (lexeme.length() >= 2 && lexeme.startsWith("\"") && lexeme.endsWith("\"")) {
            return truncate(lexeme.substring(1, lexeme.length() - 1).replace("\"\"", "\""));
        }
        return truncate(lowerAscii(lexeme));
    }

    private static boolean is(List<Token> tokens, int i, String text) {
        return i < tokens.size() && tokens.get(i).is(text);
    }

    /** Index where the space-separated keyword sequence first occurs in the tokens, or -1. */
    private static int indexOf(List<Token> tokens, String keywords) {
        String[] words = keywords.split(" ");
        for (int at = 0; at + words.length <= tokens.size(); at++) {
            int k = 0;
            while (k < words.length && is(tokens, at + k, words[k])) {
                k++;
            }
            if (k == words.length) {
                return at;
            }
        }
        return -1;
    }

    private static boolean isRoutine(List<Token> head) {
        int i = is(head, 1, "OR") && is(head, 2, "REPLACE") ? 3 : 1;
        return is(head, 0, "CREATE") && (is(head, i, "FUNCTION") || is(head, i, "PROCEDURE"));
    }

    /** The tokens without whitespace and comments. */
    private static List<Token> tokens(String sql) {
        List<Token> tokens = new ArrayList<>();
        Lexer lexer = new Lexer(sql);
        for (Kind kind; (kind = lexer.next()) != Kind.EOF; ) {
            if (kind != Kind.SPACE && kind != Kind.COMMENT) {
                tokens.add(lexer.token(kind));
            }
        }
        return tokens;
    }

    // PostgreSQL folds only ASCII letters of unquoted identifiers (under multi-byte encodings).
    private static String lowerAscii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.chars().forEach(c -> b.append((char) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c)));
        return b.toString();
    }

    // Like truncate_identifier(): keep at most MAX_IDENTIFIER_BYTES of UTF-8, never splitting a character.
    private static String truncate(String id) {
        int bytes = 0;
        int i = 0;
        for (int cp; i < id.length(); i += Character.charCount(cp)) {
            cp = id.codePointAt(i);
            bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes > MAX_IDENTIFIER_BYTES) {
                break;
            }
        }
        return id.substring(0, i);
    }

    /** Position scanner: each next() consumes one token, s[start, pos) being its text. */
    private static final class Lexer {
        private final String s;
        private int start;
        private int pos;

        Lexer(String s) {
            this.s = s;
        }

        Token token(Kind kind) {
            return new Token(kind, s.substring(start, pos));
        }

        Kind next() {
            start = pos;
            if (pos >= s.length()) {
                return Kind.EOF;
            }
            char c = s.charAt(pos);
            if (Character.isWhitespace(c)) {
                while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                    pos++;
                }
                return Kind.SPACE;
            }
            if (s.startsWith("--", pos)) { // the newline itself stays outside the comment
                int newline = s.indexOf('\n', pos);
                pos = newline < 0 ? s.length() : newline;
                return Kind.COMMENT;
            }
            if (s.startsWith("/*", pos)) { // block comments nest in PostgreSQL
                for (int depth = 0; pos < s.length() && (depth > 0 || pos == start); ) {
                    int step = s.startsWith("/*", pos) ? 1 : s.startsWith("*/", pos) ? -1 : 0;
                    depth += step;
                    pos += step == 0 ? 1 : 2;
                }
                return Kind.COMMENT;
            }
            if (c == '\'' || c == '"') {
                quoted(c, false);
                return c == '"' ? Kind.QUOTED_IDENT : Kind.STRING;
            }
            if (c == '$' && dollarQuoted()) {
                return Kind.STRING;
            }
            if (isIdentChar(c)) {
                while (pos < s.length() && isIdentChar(s.charAt(pos))) {
                    pos++;
                }
                // E'...' only when E is a word of its own: namE'x' is an identifier then a plain string.
                if (pos - start == 1 && (c == 'E' || c == 'e') && pos < s.length() && s.charAt(pos) == '\'') {
                    quoted('\'', true);
                    return Kind.STRING;
                }
                return Kind.WORD;
            }
            pos++;
            return Kind.SYMBOL;
        }

        /** Consumes a quoted run from the quote at pos; a doubled quote escapes it. Unterminated runs to the end. */
        private void quoted(char quote, boolean backslashEscapes) {
            for (pos++; pos < s.length(); ) {
                char c = s.charAt(pos++);
                if (backslashEscapes && c == '\\') {
                    pos++;
                } else if (c == quote) {
                    if (pos >= s.length() || s.charAt(pos) != quote) {
                        return;
                    }
                    pos++;
                }
            }
            pos = s.length();
        }

        /** Consumes $tag$...$tag$ if one starts at pos; "$1" is a parameter, as a tag cannot start with a digit. */
        private boolean dollarQuoted() {
            int p = pos + 1;
            char first = p < s.length() ? s.charAt(p) : '$';
            if (first != '$' && isIdentChar(first) && (first < '0' || first > '9')) {
                while (p < s.length() && isIdentChar(s.charAt(p)) && s.charAt(p) != '$') {
                    p++;
                }
            }
            if (p >= s.length() || s.charAt(p) != '$') {
                return false;
            }
            String delimiter = s.substring(pos, p + 1);
            int end = s.indexOf(delimiter, p + 1);
            pos = end < 0 ? s.length() : end + delimiter.length();
            return true;
        }

        boolean nextWordIs(String keyword) {
            Lexer ahead = new Lexer(s);
            ahead.pos = pos;
            Kind kind;
            do {
                kind = ahead.next();
            } while (kind == Kind.SPACE || kind == Kind.COMMENT);
            return kind == Kind.WORD && ahead.token(kind).is(keyword);
        }

        // As PostgreSQL sees identifiers: '$' and every non-ASCII character are identifier characters.
        private static boolean isIdentChar(char c) {
            return c >= 0x80 || c == '_' || c == '$' || Character.isLetterOrDigit(c);
        }
    }
}
