package io.flotilla.adoption;

import io.flotilla.catalog.CatalogService;
import io.flotilla.catalog.Version;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.server.ServerPools;
import io.flotilla.sql.SchemaNames;
import io.flotilla.sql.TenantExecutor;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the schemas on a server that another tool migrated and that are no company yet. The server's catalog is asked
 * once for every table named as a tool's history table (whatever the number of schemas), home once for which of those
 * schemas are companies, and the history tables are then read many to a query (a {@code UNION ALL} of up to
 * {@link #PER_QUERY} tables of one tool), never one round trip per schema. Only reads.
 */
@ApplicationScoped
public class DiscoveryService {

    /**
     * A schema that holds a history table.
     *
     * @param tool          the tool whose table it is
     * @param latestVersion the highest version the history has applied (for Liquibase: the last changeset), or null
     * @param dirty         the history has a dirty, failed, unfinished or rolled-back entry (adoption refuses it)
     * @param applied       how many entries the history has applied, after the tool's own rules
     * @param error         why the table could not be read (then the other fields say nothing), or null
     */
    public record Discovered(String schemaName, HistoryTool tool, String historyTable, String latestVersion,
                             boolean dirty, int applied, String error) {
    }

    /** Tables of one tool read per query: bounded, so that a query stays far below PostgreSQL's limits. */
    static final int PER_QUERY = 250;

    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /** Every table with one of the names, with its columns (to tell golang-migrate's schema_migrations from dbmate's). */
    private static final String CANDIDATES = "SELECT n.nspname::text, c.relname::text,"
            + " ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0"
            + "   AND NOT a.attisdropped) AS columns"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND c.relname = ANY($1::text[]::name[])"
            + " AND n.nspname NOT IN ('public', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
            + " AND n.nspname NOT LIKE $2"
            + " ORDER BY n.nspname, c.relname";

    private final ServerPools pools;
    private final Pool home;
    private final CatalogService catalog;

    public DiscoveryService(ServerPools pools, Pool home, CatalogService catalog) {
        this.pools = pools;
        this.home = home;
        this.catalog = catalog;
    }

    /**
     * The adoptable-looking schemas of {@code server}, by name; {@code historyTable} (optional) is one more table name
     * to look for, read as the catalog's tool. 404 server-not-found for an unknown server.
     */
    public Uni<List<Discovered>> discover(String server, String historyTable) {
        if (historyTable != null && !TABLE.matcher(historyTable).matches()) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "historyTable must be a plain table name"
                    + " (letters, digits, underscores; at most 63)");
        }
        Optional<HistoryTool> catalogTool = HistoryTool.of(catalog.catalog().layout());
        Map<String, HistoryTool> byName = new LinkedHashMap<>();
        for (HistoryTool tool : HistoryTool.values()) {
            byName.putIfAbsent(tool.defaultTable(), tool);
        }
        if (historyTable != null && catalogTool.isPresent()) {
            byName.put(historyTable, catalogTool.get());
        }
        return pools.forWork(server).flatMap(database -> database.withConnection(conn -> conn.preparedQuery(CANDIDATES)
                .execute(Tuple.of(byName.keySet().toArray(String[]::new), SchemaNames.SCRATCH_PREFIX.replace("_", "\\_") + "%"))
                .flatMap(rows -> {
                    Map<String, List<Candidate>> bySchema = new LinkedHashMap<>();
                    for (Row row : rows) {
                        Set<String> columns = new HashSet<>(Arrays.asList(row.getArrayOfStrings(2)));
                        HistoryTool tool = toolOf(row.getString(1), columns, byName);
                        bySchema.computeIfAbsent(row.getString(0), s -> new ArrayList<>())
                                .add(new Candidate(row.getString(0), row.getString(1), tool));
                    }
                    return notCompanies(bySchema.keySet()).map(free -> free.stream()
                            .map(schema -> pick(bySchema.get(schema), catalogTool.orElse(null))).toList());
                })
                .flatMap(candidates -> read(conn, candidates))));
    }

    /** A history table found in a schema. */
    private record Candidate(String schema, String table, HistoryTool tool) {
    }

    /** golang-migrate and dbmate both name their table schema_migrations; golang-migrate's has a dirty flag. */
    private static HistoryTool toolOf(String table, Set<String> columns, Map<String, HistoryTool> byName) {
        if (table.equals(HistoryTool.GOLANG_MIGRATE.defaultTable())) {
            return columns.contains("dirty") ? HistoryTool.GOLANG_MIGRATE : HistoryTool.DBMATE;
        }
        return byName.get(table);
    }

    /** The catalog's tool's table when the schema has it, else the first found. */
    private static Candidate pick(List<Candidate> found, HistoryTool catalogTool) {
        return found.stream().filter(c -> c.tool() == catalogTool).findFirst().orElse(found.get(0));
    }

    /** The schemas of {@code schemas} that are no company (deleted or not), in their order: one query at home. */
    private Uni<List<String>> notCompanies(Set<String> schemas) {
        if (schemas.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return home.preparedQuery("SELECT schema_name FROM public.companies WHERE schema_name = ANY($1::text[])")
                .execute(Tuple.of(schemas.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> taken = new HashSet<>();
                    rows.forEach(row -> taken.add(row.getString(0)));
                    return schemas.stream().filter(s -> !taken.contains(s)).toList();
                });
    }

    /** Reads every candidate's history, many tables to a query, in schema order. */
    private static Uni<List<Discovered>> read(SqlConnection conn, List<Candidate> candidates) {
        Map<HistoryTool, List<Candidate>> byTool = new LinkedHashMap<>();
        candidates.forEach(c -> byTool.computeIfAbsent(c.tool(), t -> new ArrayList<>()).add(c));
        List<List<Candidate>> chunks = new ArrayList<>();
        byTool.values().forEach(list -> {
            for (int i = 0; i < list.size(); i += PER_QUERY) {
                chunks.add(list.subList(i, Math.min(list.size(), i + PER_QUERY)));
            }
        });
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(chunk -> readChunk(conn, chunk))
                .collect().asList()
                .map(lists -> lists.stream().flatMap(List::stream)
                        .sorted(Comparator.comparing(Discovered::schemaName)).toList());
    }

    private static Uni<List<Discovered>> readChunk(SqlConnection conn, List<Candidate> chunk) {
        HistoryTool tool = chunk.get(0).tool();
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < chunk.size(); i++) {
            sql.append(i == 0 ? "(" : " UNION ALL (").append(tool.branch(i, qualified(chunk.get(i)))).append(')');
        }
        sql.append(" ORDER BY k, ord");
        return conn.query(sql.toString()).execute().map(rows -> {
            List<List<Row>> perTable = new ArrayList<>();
            chunk.forEach(c -> perTable.add(new ArrayList<>()));
            for (Row row : rows) {
                perTable.get(row.getInteger("k")).add(row);
            }
            List<Discovered> found = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                found.add(summary(chunk.get(i), perTable.get(i)));
            }
            return found;
        }).onFailure().recoverWithUni(e -> {
            // One odd table (a column missing, a type the union cannot unify) must not hide the others: each alone.
            Log.debugf("Reading %d %s history tables in one query failed (%s); reading them one by one",
                    chunk.size(), tool.value(), e.getMessage());
            return Multi.createFrom().iterable(chunk)
                    .onItem().transformToUniAndConcatenate(c -> conn.query(tool.select(qualified(c))).execute()
                            .map(rows -> summary(c, HistoryTool.rows(rows)))
                            .onFailure().recoverWithItem(error -> new Discovered(c.schema(), c.tool(), c.table(), null,
                                    false, 0, error.getMessage())))
                    .collect().asList();
        });
    }

    private static String qualified(Candidate c) {
        return TenantExecutor.quoteIdent(c.schema()) + "." + TenantExecutor.quoteIdent(c.table());
    }

    static Discovered summary(Candidate c, List<Row> rows) {
        List<ToolEntry> entries = c.tool().fold(rows);
        return summary(c.schema(), c.tool(), c.table(), entries);
    }

    static Discovered summary(String schema, HistoryTool tool, String table, List<ToolEntry> entries) {
        boolean dirty = entries.stream().anyMatch(e -> e.status().refused());
        List<ToolEntry> applied = entries.stream().filter(e -> !e.status().refused()).toList();
        return new Discovered(schema, tool, table, latest(applied), dirty, applied.size(), null);
    }

    /** The highest version, when every entry is one; otherwise (Liquibase's author:id) the last in the tool's order. */
    private static String latest(List<ToolEntry> applied) {
        if (applied.isEmpty()) {
            return null;
        }
        Set<String> unparsed = new LinkedHashSet<>();
        Version highest = null;
        String spelled = null;
        for (ToolEntry entry : applied) {
            try {
                Version v = Version.parse(entry.version());
                if (highest == null || v.compareTo(highest) > 0) {
                    highest = v;
                    spelled = entry.version();
                }
            } catch (FlotillaException e) {
                unparsed.add(entry.version());
            }
        }
        return unparsed.isEmpty() ? spelled : applied.get(applied.size() - 1).version();
    }
}
