package io.flotilla.verification;

import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.verification.ScratchSchemas;
import io.flotilla.verification.ScratchSchemas.Scratch;
import io.flotilla.migration.TemplateValues;
import io.flotilla.sql.TenantDatabase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds migrations into a scratch schema in order, stopping at the first one PostgreSQL refuses, and inspects
 * what they built. The scratch schema is gone by the time the result is emitted.
 */
@ApplicationScoped
public class ScratchBuilder {

    /** A migration to build, with the values its placeholders get ({@code ${schema}} aside). */
    public record Step(Migration migration, Map<String, String> values) {
    }

    /**
     * A step as it ran: its SQL as sent to the scratch schema, and the relations (name → relkind) that existed
     * before it, when tracked.
     */
    public record Ran(Migration migration, String sql, Map<String, String> relationsBefore) {
    }

    /**
     * @param schema  the scratch schema's name (already dropped), as it appears in {@link Ran#sql()}
     * @param ran     the steps that ran, the failed one included
     * @param result  what the steps built; null when one failed
     * @param failure the step that failed, or null
     */
    public record Build(String schema, List<Ran> ran, SchemaSnapshot result, BuildFailure failure) {
    }

    private final ScratchSchemas scratchSchemas;
    private final SchemaInspector inspector;

    public ScratchBuilder(ScratchSchemas scratchSchemas, SchemaInspector inspector) {
        this.scratchSchemas = scratchSchemas;
        this.inspector = inspector;
    }

    /**
     * Builds at home. With {@code trackRelations}, one cheap catalog query after each step says what existed before
     * the next.
     */
    public Uni<Build> build(List<Step> steps, boolean trackRelations) {
        return scratchSchemas.withScratch(scratch -> run(scratch, steps, 0, Map.of(), new ArrayList<>(), trackRelations));
    }

    /** Builds on {@code server}: the PostgreSQL whose behaviour the result is compared with. */
    public Uni<Build> build(TenantDatabase server, List<Step> steps, boolean trackRelations) {
        return scratchSchemas.withScratch(server, scratch -> run(scratch, steps, 0, Map.of(), new ArrayList<>(), trackRelations));
    }

    private Uni<Build> run(Scratch scratch, List<Step> steps, int index, Map<String, String> before, List<Ran> ran,
                           boolean track) {
        if (index == steps.size()) {
            return inspector.inspect(scratch.connection(), scratch.name())
                    .map(result -> new Build(scratch.name(), List.copyOf(ran), result, null));
        }
        Step step = steps.get(index);
        MigrationScript script = step.migration().up();
        String sql = TemplateValues.render(scratch.name(), script, step.values());
        ran.add(new Ran(step.migration(), sql, before));
        return scratch.apply(script, sql).flatMap(error -> {
            if (error != null) {
                return Uni.createFrom().item(new Build(scratch.name(), List.copyOf(ran), null,
                        BuildFailure.of(step.migration(), error)));
            }
            Uni<Map<String, String>> after = track ? inspector.relations(scratch.connection(), scratch.name())
                    : Uni.createFrom().item(Map.of());
            return after.flatMap(relations -> run(scratch, steps, index + 1, relations, ran, track));
        });
    }
}
