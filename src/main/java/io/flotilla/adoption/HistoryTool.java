package io.flotilla.adoption;

import com.fasterxml.jackson.annotation.JsonValue;
import io.flotilla.adoption.ToolEntry.Status;
import io.flotilla.catalog.Layout;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.Version;
import io.flotilla.error.FlotillaException;
import io.vertx.mutiny.sqlclient.Row;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The migration tools whose history tables Flotilla reads to adopt a schema, one per catalog layout that has one:
 * the table as each tool names it by default, the query that reads it, and how its rows fold into one entry per
 * version (each tool's own rules: Flyway's undo rows, goose's last row per version, Prisma's re-applied migrations).
 * The queries only read; the table's schema and name reach SQL quoted.
 */
public enum HistoryTool {

    /** {@code flyway_schema_history}: a row per step, in {@code installed_rank} order, with a CRC32 of the file. */
    FLYWAY("flyway", "flyway_schema_history", "SELECT version, checksum::text, success, type FROM %s"
            + " ORDER BY installed_rank") {
        @Override
        List<ToolEntry> fold(List<Row> rows) {
            Map<String, ToolEntry> byVersion = new LinkedHashMap<>();
            for (Row row : rows) {
                String version = row.getString(0);
                String type = row.getString(3);
                if (version == null || "SCHEMA".equals(type)) {
                    continue; // a repeatable migration, or the marker of the schema Flyway created
                }
                if ("UNDO_SQL".equals(type) || "DELETE".equals(type)) {
                    if (row.getBoolean(2)) {
                        byVersion.remove(version);
                    }
                    continue;
                }
                Status status = !row.getBoolean(2) ? Status.FAILED
                        : type != null && type.contains("BASELINE") ? Status.UP_TO : Status.APPLIED;
                byVersion.put(version, new ToolEntry(version, row.getString(1), status));
            }
            return List.copyOf(byVersion.values());
        }

        /**
         * Flyway's checksum ({@code ChecksumCalculator}): a CRC32 over the file's lines, UTF-8, without their line
         * endings and without a leading byte-order mark, as a signed int. The catalog's text is normalised only in
         * those two respects, so the file's own checksum comes out.
         */
        @Override
        Optional<String> checksumOf(Path directory, MigrationScript script) {
            CRC32 crc = new CRC32();
            crc.update(script.sql().replace("\n", "").getBytes(StandardCharsets.UTF_8));
            return Optional.of(Integer.toString((int) crc.getValue()));
        }
    },

    /** {@code schema_migrations(version bigint, dirty boolean)}: one row, the latest version. */
    GOLANG_MIGRATE("golang-migrate", "schema_migrations", "SELECT version::text, dirty FROM %s") {
        @Override
        List<ToolEntry> fold(List<Row> rows) {
            return rows.stream().map(row -> new ToolEntry(row.getString(0), null,
                    row.getBoolean(1) ? Status.DIRTY : Status.UP_TO)).toList();
        }
    },

    /** {@code schema_migrations(version varchar)}: a row per applied version. */
    DBMATE("dbmate", "schema_migrations", "SELECT version::text FROM %s") {
        @Override
        List<ToolEntry> fold(List<Row> rows) {
            return rows.stream().map(row -> new ToolEntry(row.getString(0), null, Status.APPLIED)).toList();
        }
    },

    /** {@code goose_db_version(id, version_id, is_applied, tstamp)}: the last row of a version says; 0 is goose's own. */
    GOOSE("goose", "goose_db_version", "SELECT version_id::text, is_applied FROM %s ORDER BY id") {
        @Override
        List<ToolEntry> fold(List<Row> rows) {
            Map<String, ToolEntry> byVersion = new LinkedHashMap<>();
            for (Row row : rows) {
                String version = row.getString(0);
                if ("0".equals(version)) {
                    continue;
                }
                byVersion.remove(version);
                if (row.getBoolean(1)) {
                    byVersion.put(version, new ToolEntry(version, null, Status.APPLIED));
                }
            }
            return List.copyOf(byVersion.values());
        }
    },

    /**
     * {@code _prisma_migrations}: a row per attempt, named {@code <timestamp>_<name>}, with the SHA-256 of
     * {@code migration.sql}. A migration is applied when some attempt finished and was not rolled back; otherwise
     * its last attempt says why not.
     */
    PRISMA("prisma", "_prisma_migrations", "SELECT migration_name, checksum, finished_at IS NOT NULL,"
            + " rolled_back_at IS NOT NULL FROM %s ORDER BY started_at, id") {
        @Override
        List<ToolEntry> fold(List<Row> rows) {
            Map<String, ToolEntry> byVersion = new LinkedHashMap<>();
            for (Row row : rows) {
                String name = row.getString(0);
                String version = name.contains("_") ? name.substring(0, name.indexOf('_')) : name;
                Status status = row.getBoolean(3) ? Status.ROLLED_BACK
                        : row.getBoolean(2) ? Status.APPLIED : Status.UNFINISHED;
                ToolEntry known = byVersion.get(version);
                if (known == null || known.status() != Status.APPLIED) {
                    byVersion.put(version, new ToolEntry(version, row.getString(1), status));
                }
            }
            return List.copyOf(byVersion.values());
        }

        /**
         * Prisma's SHA-256 of the file's bytes as they are (line endings included), read from the catalog's directory;
         * the catalog's own checksum (of the normalised text) when the file cannot be read.
         */
        @Override
        Optional<String> checksumOf(Path directory, MigrationScript script) {
            try {
                return Optional.of(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(Files.readAllBytes(directory.resolve(script.file())))));
            } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
                return Optional.of(script.checksum());
            }
        }
    },

    /**
     * {@code databasechangelog}: a row per changeset run, known by author and id ({@code exectype} EXECUTED, RERAN or
     * MARK_RAN applied, FAILED failed, SKIPPED not run); matched to the catalog's changeset of that author and id. Its
     * MD5SUM is not compared yet. Liquibase's lock table ({@code databasechangeloglock}) sits beside it.
     */
    LIQUIBASE("liquibase", "databasechangelog", "SELECT author || ':' || id, exectype FROM %s"
            + " ORDER BY orderexecuted, dateexecuted") {
        @Override
        List<ToolEntry> fold(List<Row> rows) {
            Map<String, ToolEntry> byChangeset = new LinkedHashMap<>();
            for (Row row : rows) {
                String changeset = row.getString(0);
                String type = row.getString(1);
                if ("SKIPPED".equals(type)) {
                    continue;
                }
                byChangeset.put(changeset, new ToolEntry(changeset, null,
                        "FAILED".equals(type) ? Status.FAILED : Status.APPLIED));
            }
            return List.copyOf(byChangeset.values());
        }

        /** The catalog's changeset of this author and id (the resolver names it {@code id (author)}). */
        @Override
        Optional<Migration> find(MigrationCatalog catalog, ToolEntry entry) {
            int colon = entry.version().indexOf(':');
            String name = entry.version().substring(colon + 1) + " (" + entry.version().substring(0, colon) + ")";
            List<Migration> found = catalog.migrations().stream().filter(m -> m.name().equals(name)).toList();
            return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
        }

        @Override
        Set<String> companions() {
            return Set.of("databasechangeloglock");
        }
    };

    private final String value;
    private final String defaultTable;
    private final String select;

    HistoryTool(String value, String defaultTable, String select) {
        this.value = value;
        this.defaultTable = defaultTable;
        this.select = select;
    }

    @JsonValue
    public String value() {
        return value;
    }

    public String defaultTable() {
        return defaultTable;
    }

    /** The query reading the history from {@code qualifiedTable} (quoted by the caller). */
    String select(String qualifiedTable) {
        return String.format(select, qualifiedTable);
    }

    /**
     * {@link #select} as one branch of a {@code UNION ALL} reading many schemas' tables in one query: the same columns
     * (so {@link #fold} reads them alike), then {@code k} (which table) and {@code ord} (the tool's order); the union is
     * ordered by both.
     */
    String branch(int key, String qualifiedTable) {
        int order = select.indexOf(" ORDER BY ");
        String head = order < 0 ? select : select.substring(0, order);
        String over = order < 0 ? "" : "ORDER BY " + select.substring(order + " ORDER BY ".length());
        int from = head.indexOf(" FROM %s");
        return head.substring(0, from) + ", " + key + " AS k, row_number() OVER (" + over + ") AS ord"
                + String.format(head.substring(from), qualifiedTable);
    }

    /** The rows of {@link #select}, one entry per version still standing, in the tool's order. */
    abstract List<ToolEntry> fold(List<Row> rows);

    /**
     * What this tool would record for the catalog's file (in {@code directory}), when it records something; empty
     * when it keeps no checksum.
     */
    Optional<String> checksumOf(Path directory, MigrationScript script) {
        return Optional.empty();
    }

    /** The catalog migration an entry stands for: by version, for every tool that numbers its steps. */
    Optional<Migration> find(MigrationCatalog catalog, ToolEntry entry) {
        try {
            return catalog.find(Version.parse(entry.version()));
        } catch (FlotillaException e) {
            return Optional.empty();
        }
    }

    /** Tables the tool keeps beside its history in the tenant schema, which no migration builds. */
    Set<String> companions() {
        return Set.of();
    }

    /** The tool whose directory layout the catalog has; empty for layouts of no tool with a table Flotilla reads. */
    public static Optional<HistoryTool> of(Layout layout) {
        return Optional.ofNullable(switch (layout) {
            case FLYWAY -> FLYWAY;
            case GOLANG_MIGRATE -> GOLANG_MIGRATE;
            case DBMATE -> DBMATE;
            case GOOSE -> GOOSE;
            case PRISMA -> PRISMA;
            case LIQUIBASE -> LIQUIBASE;
            default -> null;
        });
    }

    static List<Row> rows(Iterable<Row> rows) {
        List<Row> list = new ArrayList<>();
        rows.forEach(list::add);
        return list;
    }
}
