package io.flotilla.verification;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The tables (ordinary and partitioned) and materialized views of one schema, by name. */
public record SchemaSnapshot(String schema, List<TableShape> tables, List<String> materializedViews) {

    public SchemaSnapshot {
        tables = List.copyOf(tables);
        materializedViews = List.copyOf(materializedViews);
    }

    /** The same schema without these tables (another tool's history table, say). */
    public SchemaSnapshot without(Set<String> ignored) {
        return ignored.isEmpty() ? this : new SchemaSnapshot(schema,
                tables.stream().filter(t -> !ignored.contains(t.name())).toList(), materializedViews);
    }

    public List<String> tableNames() {
        return tables.stream().map(TableShape::name).toList();
    }

    public Optional<TableShape> table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
