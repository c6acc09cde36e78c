package io.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The contract's rules (docs/api.md), read off {@code openapi.yaml} (which {@link OpenApiContractTest} keeps equal to
 * what the code serves): nothing is ever null, nothing says it is, and every operation declares the statuses HTTP
 * and the database can give it. The TypeScript client (tools/tsclient) checks the answers themselves.
 */
class ContractRulesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void noFieldIsNullNorSaysItMayBe() throws IOException {
        List<String> found = new ArrayList<>();
        nulls("", YAML.readTree(OpenApiContractTest.CONTRACT.toFile()), found);
        assertEquals(List.of(), found, "a field without a value is left out, never null (docs/api.md)");
    }

    @Test
    void everyOperationDeclaresTheStatusesOfHttpAndTheDatabase() throws IOException {
        List<String> missing = new ArrayList<>();
        YAML.readTree(OpenApiContractTest.CONTRACT.toFile()).path("paths").fields().forEachRemaining(path ->
                path.getValue().fields().forEachRemaining(operation -> {
                    JsonNode responses = operation.getValue().path("responses");
                    if (!responses.isObject()) {
                        return;
                    }
                    List<String> needed = new ArrayList<>(List.of("401", "403", "406"));
                    if (!path.getKey().startsWith("/api/v1/migrations")) {
                        needed.add("503");
                    }
                    if (operation.getValue().has("requestBody")) {
                        needed.addAll(List.of("400", "413", "415"));
                    }
                    needed.stream().filter(status -> !responses.has(status))
                            .forEach(status -> missing.add(operation.getValue().path("operationId").asText() + " " + status));
                }));
        assertEquals(List.of(), missing);
    }

    private static void nulls(String at, JsonNode node, List<String> found) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
                String where = at + "/" + e.getKey();
                JsonNode v = e.getValue();
                boolean nullType = v.asText().equals("null") || v.isArray() && v.toString().contains("\"null\"");
                if (e.getKey().equals("type") && nullType) {
                    found.add(where);
                } else if (e.getKey().equals("description") && v.asText().matches("(?s).*(^|[^-\\w])null\\b.*")) {
                    found.add(where + ": " + v.asText());
                }
                nulls(where, v, found);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                nulls(at + "/" + i, node.get(i), found);
            }
        }
    }
}
