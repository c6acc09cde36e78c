package io.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.flotilla.testsupport.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract in the repository ({@code openapi.yaml}, what clients are generated from) is the one the code serves
 * at {@code /q/openapi}: both are parsed and compared as data, so formatting and key order don't count.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class OpenApiContractTest {

    static final Path CONTRACT = Path.of("openapi.yaml");
    static final String REGENERATE = "mvn -DskipTests package && cp target/openapi/openapi.yaml openapi.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final int DETAILS = 25;

    @Test
    void repositoryContractIsWhatTheCodeServes() throws IOException {
        assertTrue(Files.isRegularFile(CONTRACT), CONTRACT.toAbsolutePath() + " is missing; create it with: " + REGENERATE);
        String served = given().accept("application/yaml").when().get("/q/openapi")
                .then().statusCode(200).extract().asString();
        List<String> differences = new ArrayList<>();
        diff("", YAML.readTree(CONTRACT.toFile()), YAML.readTree(served), differences);
        if (!differences.isEmpty()) {
            fail(report(differences));
        }
    }

    /** Where the two documents differ, as JSON pointers with both values. */
    static void diff(String pointer, JsonNode repo, JsonNode served, List<String> out) {
        if (repo == null || served == null) {
            out.add(pointer + ": " + (repo == null ? "only served by the code" : "only in openapi.yaml"));
        } else if (repo.isObject() && served.isObject()) {
            Set<String> names = new TreeSet<>();
            repo.fieldNames().forEachRemaining(names::add);
            served.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                diff(pointer + "/" + name.replace("~", "~0").replace("/", "~1"), repo.get(name), served.get(name), out);
            }
        } else if (repo.isArray() && served.isArray() && repo.size() == served.size()) {
            for (int i = 0; i < repo.size(); i++) {
                diff(pointer + "/" + i, repo.get(i), served.get(i), out);
            }
        } else if (!repo.equals(served)) {
            out.add(pointer + ": openapi.yaml has " + abbreviate(repo) + ", the code serves " + abbreviate(served));
        }
    }

    /** Names the operations and schemas that differ, then the first differences in detail. */
    static String report(List<String> differences) {
        Set<String> operations = new TreeSet<>();
        Set<String> schemas = new TreeSet<>();
        Set<String> other = new TreeSet<>();
        for (String d : differences) {
            String pointer = d.substring(0, d.indexOf(": "));
            List<String> parts = unescape(pointer);
            if (parts.size() >= 2 && parts.get(0).equals("paths")) {
                operations.add(parts.size() >= 3 ? parts.get(2).toUpperCase() + " " + parts.get(1) : parts.get(1));
            } else if (parts.size() >= 3 && parts.get(0).equals("components") && parts.get(1).equals("schemas")) {
                schemas.add(parts.get(2));
            } else {
                other.add(String.join("/", parts.subList(0, Math.min(2, parts.size()))));
            }
        }
        StringBuilder sb = new StringBuilder("openapi.yaml is not the contract the code serves at /q/openapi.\n")
                .append("Regenerate it from the build and commit it:\n    ").append(REGENERATE).append('\n');
        sections(sb, Map.of("Paths that differ", operations, "Schemas that differ", schemas, "Elsewhere", other));
        sb.append(differences.size()).append(" difference(s)")
                .append(differences.size() > DETAILS ? ", the first " + DETAILS : "").append(":\n");
        differences.stream().limit(DETAILS).forEach(d -> sb.append("  ").append(d).append('\n'));
        return sb.toString();
    }

    private static void sections(StringBuilder sb, Map<String, Set<String>> sections) {
        for (String title : List.of("Paths that differ", "Schemas that differ", "Elsewhere")) {
            Set<String> names = sections.get(title);
            if (!names.isEmpty()) {
                sb.append(title).append(": ").append(String.join(", ", names)).append('\n');
            }
        }
    }

    private static List<String> unescape(String pointer) {
        List<String> parts = new ArrayList<>();
        Iterator<String> it = List.of(pointer.substring(1).split("/")).iterator();
        it.forEachRemaining(p -> parts.add(p.replace("~1", "/").replace("~0", "~")));
        return parts;
    }

    private static String abbreviate(JsonNode node) {
        String text = node.toString();
        return text.length() <= 120 ? text : text.substring(0, 117) + "...";
    }
}
