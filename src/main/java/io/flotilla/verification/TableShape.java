package io.flotilla.verification;

import java.util.List;
import java.util.Optional;

/**
 * One table as the PostgreSQL catalog describes it: what the isolation rules and verification look at.
 *
 * @param rowSecurity {@code pg_class.relrowsecurity}: row-level security enabled
 * @param policies    how many {@code pg_policy} rows the table has
 */
public record TableShape(String name, List<Column> columns, boolean rowSecurity, int policies, List<Index> indexes) {

    public record Column(String name, boolean notNull) {
    }

    /** @param firstColumn the index's leading column; null when it leads with an expression */
    public record Index(String name, String firstColumn) {
    }

    public TableShape {
        columns = List.copyOf(columns);
        indexes = List.copyOf(indexes);
    }

    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Primary keys and unique constraints are indexes too, so {@code PRIMARY KEY (tenant_id, id)} counts. */
    public boolean hasIndexLeadingWith(String column) {
        return indexes.stream().anyMatch(i -> column.equals(i.firstColumn()));
    }
}
