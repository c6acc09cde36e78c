package io.flotilla.verification;

import java.util.List;
import java.util.Optional;

/** The tables (ordinary and partitioned) and materialized views of one schema, by name. */
public record SchemaSnapshot(String schema, List<TableShape> tables, List<String> materializedViews) {

    public SchemaSnapshot {
        tables = List.copyOf(tables);
        materializedViews = List.copyOf(materializedViews);
    }

    public List<String> tableNames() {
        return tables.stream().map(TableShape::name).toList();
    }

    public Optional<TableShape> table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
