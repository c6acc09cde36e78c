package io.flotilla.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.media.Schema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What a client may rely on in an answer, said in the contract in one place. The service leaves out a field that has
 * no value ({@link AbsentNulls}); a record component that may be null says so with {@code @Schema(nullable = true)}.
 * Here, at build time, such a field loses the {@code null} SmallRye put in its type (it is absent, never null), and
 * every other field of a schema that only answers carry becomes {@code required}. Schemas that requests also use
 * (PasswordFrom) keep the required list they declare, which requests need; so does a schema that declares its own
 * ({@code Problem}, open to extension members). A field that names another schema ({@code $ref}) has no type of its
 * own.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ResponseFieldsFilter implements OASFilter {

    private static final String REF_PREFIX = "#/components/schemas/";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getComponents() == null
                || openAPI.getComponents().getSchemas() == null) {
            return;
        }
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        Set<String> answers = new HashSet<>();
        Set<String> requests = new HashSet<>();
        openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(operation -> {
            answered(operation, schema -> reach(schema, schemas, answers));
            asked(operation, schema -> reach(schema, schemas, requests));
        }));
        schemas.forEach((name, schema) -> {
            if (schema.getProperties() == null) {
                return;
            }
            boolean declared = schema.getRequired() != null && !schema.getRequired().isEmpty();
            boolean answerOnly = answers.contains(name) && !requests.contains(name);
            List<String> required = new ArrayList<>();
            schema.getProperties().forEach((property, field) -> {
                alone(field);
                alone(field.getItems());
                alone(field.getAdditionalPropertiesSchema());
                if (!absentWhenNull(field)) {
                    required.add(property);
                }
            });
            if (answerOnly && !declared && !required.isEmpty()) {
                schema.setRequired(required);
            }
        });
    }

    /**
     * A $ref stands alone: the type (and map values) SmallRye writes beside it restate the target's, or contradict it
     * (object, for a String field named an enum with implementation=).
     */
    private static void alone(Schema schema) {
        if (schema != null && schema.getRef() != null) {
            schema.setType(null);
            schema.setAdditionalPropertiesSchema(null);
        }
    }

    /**
     * Takes null out of a field's type: {@code [string, "null"]} becomes {@code string}, and
     * {@code anyOf: [{$ref}, {type: "null"}]} the {@code $ref} alone. Whether it admitted null.
     */
    private static boolean absentWhenNull(Schema field) {
        boolean nullable = false;
        if (field.getType() != null && field.getType().contains(SchemaType.NULL)) {
            List<SchemaType> types = new ArrayList<>(field.getType());
            types.remove(SchemaType.NULL);
            field.setType(types.isEmpty() ? null : types);
            nullable = true;
        }
        List<Schema> anyOf = field.getAnyOf();
        if (anyOf != null && anyOf.stream().anyMatch(ResponseFieldsFilter::isNull)) {
            List<Schema> rest = anyOf.stream().filter(s -> !isNull(s)).toList();
            if (rest.size() == 1 && rest.get(0).getRef() != null) {
                field.setAnyOf(null);
                field.setType(null);
                field.setRef(rest.get(0).getRef());
            } else {
                field.setAnyOf(rest);
            }
            nullable = true;
        }
        return nullable;
    }

    private static boolean isNull(Schema schema) {
        return schema.getType() != null && schema.getType().equals(List.of(SchemaType.NULL));
    }

    private static void answered(Operation operation, Consumer<Schema> each) {
        if (operation.getResponses() != null && operation.getResponses().getAPIResponses() != null) {
            operation.getResponses().getAPIResponses().values().forEach(response -> content(response.getContent(), each));
        }
    }

    private static void asked(Operation operation, Consumer<Schema> each) {
        if (operation.getRequestBody() != null) {
            content(operation.getRequestBody().getContent(), each);
        }
        if (operation.getParameters() != null) {
            operation.getParameters().forEach(p -> {
                if (p.getSchema() != null) {
                    each.accept(p.getSchema());
                }
            });
        }
    }

    private static void content(Content content, Consumer<Schema> each) {
        if (content != null && content.getMediaTypes() != null) {
            content.getMediaTypes().values().forEach(media -> {
                if (media.getSchema() != null) {
                    each.accept(media.getSchema());
                }
            });
        }
    }

    /** The component schemas a schema names, directly or through its fields, items and map values. */
    private static void reach(Schema schema, Map<String, Schema> schemas, Set<String> seen) {
        if (schema == null) {
            return;
        }
        if (schema.getRef() != null && schema.getRef().startsWith(REF_PREFIX)) {
            String name = schema.getRef().substring(REF_PREFIX.length());
            if (seen.add(name)) {
                reach(schemas.get(name), schemas, seen);
            }
        }
        if (schema.getProperties() != null) {
            schema.getProperties().values().forEach(p -> reach(p, schemas, seen));
        }
        reach(schema.getItems(), schemas, seen);
        reach(schema.getAdditionalPropertiesSchema(), schemas, seen);
        Stream.of(schema.getAnyOf(), schema.getOneOf(), schema.getAllOf()).filter(Objects::nonNull)
                .flatMap(List::stream).forEach(s -> reach(s, schemas, seen));
    }
}
