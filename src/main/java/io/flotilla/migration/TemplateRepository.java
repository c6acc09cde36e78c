package io.flotilla.migration;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Set;

import static io.flotilla.sql.TenantExecutor.quoteIdent;

/**
 * The template values a tenant's own data decides (see {@link TemplateValues}): the queries on the schema's
 * {@code ai_config} and the fleet-wide {@code public.models_details}, the sample catalog's convention. A repository
 * (queries only, no logic), named so; it lives here because only template values read these tables.
 */
@ApplicationScoped
public class TemplateRepository {

    /**
     * Whether the fleet-wide table template look-ups join ({@code public.models_details}) exists: a rollout asks
     * once, and skips the per-company look-up when it does not.
     */
    public Uni<Boolean> possible(SqlClient client) {
        return client.query("SELECT to_regclass('public.models_details') IS NOT NULL").execute()
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * What a tenant schema says about template values settings don't give: {@code embedding_dimensions} is the
     * {@code vector_number} of the schema's {@code ai_config.embedding_model} in {@code public.models_details},
     * when both tables exist. One round trip to find the tables, one to read the value.
     */
    public Uni<Map<String, String>> lookUp(SqlClient client, String schema, Set<String> names) {
        if (!names.contains("embedding_dimensions")) {
            return Uni.createFrom().item(Map.of());
        }
        // Catalog lookups only (no information_schema views): this runs once per company of a rollout.
        return client.preparedQuery("SELECT to_regclass($1) IS NOT NULL AND to_regclass('public.models_details') IS NOT NULL,"
                        + " (SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = to_regclass('public.models_details')"
                        + " AND a.attname IN ('model_name', 'embedding_model', 'model', 'name') AND NOT a.attisdropped"
                        + " ORDER BY array_position(ARRAY['model_name', 'embedding_model', 'model', 'name']::text[], a.attname::text) LIMIT 1)")
                .execute(Tuple.of(quoteIdent(schema) + ".ai_config"))
                .flatMap(rows -> {
                    var row = rows.iterator().next();
                    String modelColumn = row.getString(1);
                    if (!row.getBoolean(0) || modelColumn == null) {
                        return Uni.createFrom().item(Map.<String, String>of());
                    }
                    return client.query("SELECT md.vector_number FROM " + quoteIdent(schema) + ".ai_config ac"
                                    + " JOIN public.models_details md ON md." + quoteIdent(modelColumn) + " = ac.embedding_model"
                                    + " WHERE md.vector_number IS NOT NULL LIMIT 1").execute()
                            .map(found -> found.iterator().hasNext()
                                    ? Map.of("embedding_dimensions", String.valueOf(found.iterator().next().getValue(0)))
                                    : Map.<String, String>of());
                });
    }
}
