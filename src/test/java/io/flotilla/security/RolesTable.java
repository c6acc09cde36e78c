package io.flotilla.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two lists of operations the tests hold against each other and the code: the contract's and the roles table of
 * docs/security.md.
 */
final class RolesTable {

    /** The page holding the roles table (it was the README's until the manual moved to docs/). */
    static final Path PAGE = Path.of("docs/security.md");
    static final Path CONTRACT = Path.of("openapi.yaml");
    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
    /** A row of that table: | `operationId` | `METHOD /path` | role | what for |. */
    private static final Pattern ROW = Pattern.compile(
            "^\\| `(\\w+)` \\| `(GET|POST|PUT|PATCH|DELETE) (/\\S*)` \\| (viewer|operator|admin) \\|.*$");
    private static final Pattern PARAMETER = Pattern.compile("\\{(\\w+)}");

    /** One operation of the contract; {@code role} is the scope of its bearer security requirement (null: none). */
    record Operation(String id, String method, String template, boolean hasBody, String role) {
        /** The path with each {parameter} replaced by what {@code value} gives for (template, parameter name). */
        String path(BiFunction<String, String, String> value) {
            Matcher m = PARAMETER.matcher(template);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(value.apply(template, m.group(1))));
            }
            return m.appendTail(out).toString();
        }
    }

    record Row(String method, String path, Role role) {
    }

    private RolesTable() {
    }

    /** Every operation of openapi.yaml under /api/v1. */
    static List<Operation> contract() {
        try {
            JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(CONTRACT.toFile()).get("paths");
            List<Operation> operations = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> path = it.next();
                if (!path.getKey().startsWith("/api/v1")) {
                    continue;
                }
                for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                    Map.Entry<String, JsonNode> op = ops.next();
                    if (METHODS.contains(op.getKey())) {
                        JsonNode scopes = op.getValue().path("security").path(0).path("bearer");
                        operations.add(new Operation(op.getValue().path("operationId").asText(),
                                op.getKey().toUpperCase(), path.getKey(), op.getValue().has("requestBody"),
                                scopes.size() == 1 ? scopes.get(0).asText() : null));
                    }
                }
            }
            return operations;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The operation a concrete path names, read as a router does (case-sensitive, a parameter is one segment). */
    static Operation match(List<Operation> operations, String method, String path) {
        Operation found = null;
        for (Operation op : operations) {
            String regex = Pattern.quote(op.template()).replaceAll("\\{\\w+}", "\\\\E[^/]+\\\\Q");
            if (op.method().equals(method) && path.matches(regex)
                    && (found == null || found.template().indexOf('{') >= 0 && op.template().indexOf('{') < 0)) {
                found = op; // a literal segment wins over a parameter, as in JAX-RS
            }
        }
        return found;
    }

    /** The roles table of docs/security.md, by operationId. */
    static Map<String, Row> rows() {
        try {
            Map<String, Row> rows = new LinkedHashMap<>();
            for (String line : Files.readAllLines(PAGE)) {
                Matcher m = ROW.matcher(line);
                if (m.matches() && rows.put(m.group(1), new Row(m.group(2), m.group(3), Role.parse(m.group(4)))) != null) {
                    throw new IllegalStateException(m.group(1) + " is twice in the roles table of " + PAGE);
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Role> readme() {
        Map<String, Role> roles = new LinkedHashMap<>();
        rows().forEach((id, row) -> roles.put(id, row.role()));
        return roles;
    }
}
