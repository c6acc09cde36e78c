package io.flotilla.catalog;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The directory layouts Flotilla reads as they are. Tried in declaration order, because some names fit
 * several patterns ({@code 1_init.up.sql} is golang-migrate, not a Flotilla file described "init.up").
 */
public enum Layout {
    /** Prisma: one directory per migration, {@code 20240101120000_name/migration.sql}; no rollback. First: the
     * other patterns would read the slash as part of a name. */
    PRISMA("Prisma (N_name/migration.sql)", Pattern.compile("^()(\\d+)_([^/]+)/migration\\.sql$")),
    /** Flyway: {@code V1__name.sql}, {@code V1_1__name.sql}, {@code V1.2__name.sql}; {@code U…} undoes. */
    FLYWAY("Flyway (V1__name.sql / U1__name.sql)",
            Pattern.compile("^([VU])(\\d+(?:[._]\\d+)*)__(.+)\\.sql$")),
    /** golang-migrate: {@code 1_name.up.sql} / {@code 0001_name.down.sql}. */
    GOLANG_MIGRATE("golang-migrate (N_name.up.sql / N_name.down.sql)",
            Pattern.compile("^()(\\d+)_(.+)\\.(up|down)\\.sql$")),
    /** {@code V0001.Name.up.sql} / {@code V0001.Name.down.sql}: a V, the version, a dot, the name, the direction. */
    V_UP_DOWN("V-dotted up/down (V0001.name.up.sql / V0001.name.down.sql)",
            Pattern.compile("^(V)(\\d+)\\.(.+)\\.(up|down)\\.sql$")),
    /** Flotilla's own: {@code 001_name.sql} and {@code rollback_001_name.sql}. */
    FLOTILLA("Flotilla (NNN_name.sql / rollback_NNN_name.sql)",
            Pattern.compile("^(rollback_)?(\\d+)_(.+)\\.sql$")),
    /** A version, a dot and a name: {@code 1.name.sql}, down as {@code 1.name.down.sql} or {@code rollback_1.name.sql}. */
    DOTTED("dotted (N.name.sql / N.name.down.sql)",
            Pattern.compile("^(rollback_)?(\\d+)\\.(.+?)(?:\\.(up|down))?\\.sql$")),
    /**
     * dbmate: {@code 20240101120000_name.sql} holding {@code -- migrate:up} and {@code -- migrate:down} sections. Its
     * name is a Flotilla name, so the content decides ({@link Sections}); {@link #classify} never answers it.
     */
    DBMATE("dbmate (N_name.sql with -- migrate:up / -- migrate:down)", null),
    /** goose: {@code 00001_name.sql} or a timestamp, with {@code -- +goose Up} / {@code -- +goose Down}; by content too. */
    GOOSE("goose (N_name.sql with -- +goose Up / -- +goose Down)", null),
    /**
     * sqitch: {@code sqitch.plan} orders and names the changes; {@code deploy/name.sql} applies,
     * {@code revert/name.sql} undoes. Found by the plan file, never by {@link #classify} ({@link Sqitch}).
     */
    SQITCH("sqitch (sqitch.plan with deploy/ and revert/)", null),
    /**
     * Liquibase formatted SQL: files whose first line is {@code --liquibase formatted sql}, one step per
     * {@code --changeset author:id}; by content, like goose and dbmate ({@link Liquibase}).
     */
    LIQUIBASE("Liquibase formatted SQL (--liquibase formatted sql, --changeset author:id)", null);


    private final String label;
    private final Pattern pattern;

    Layout(String label, Pattern pattern) {
        this.label = label;
        this.pattern = pattern;
    }

    public String label() {
        return label;
    }

    /**
     * A file name understood under some layout; {@code versionText} is the version as the file spells it
     * ({@code 007}, {@code 1_2}), which {@link Version} forgets but a new file must copy.
     */
    public record FileName(String file, Layout layout, Version version, String versionText, String description,
                           boolean down) {
        /** Human name from the description: {@code create_users} → {@code create users}. */
        public String name() {
            return description.replace('_', ' ').trim();
        }

        /** The same file read as a section of a two-section layout (goose, dbmate). */
        FileName as(Layout sectioned, boolean isDown) {
            return new FileName(file, sectioned, version, versionText, description, isDown);
        }
    }

    /** Classifies one file name; empty when no layout reads it (or its version is absurdly long). */
    public static Optional<FileName> classify(String fileName) {
        for (Layout layout : values()) {
            if (layout.pattern == null) {
                continue;
            }
            Matcher m = layout.pattern.matcher(fileName);
            if (m.matches()) {
                String prefix = m.group(1);
                boolean down = switch (layout) {
                    case FLYWAY -> prefix.equals("U");
                    case GOLANG_MIGRATE, V_UP_DOWN -> m.group(4).equals("down");
                    case PRISMA, DBMATE, GOOSE, SQITCH, LIQUIBASE -> false;
                    case FLOTILLA -> prefix != null;
                    case DOTTED -> prefix != null || "down".equals(m.group(4));
                };
                if (layout == DOTTED && prefix != null && m.group(4) != null) {
                    return Optional.empty(); // rollback_1.x.up.sql says two contradicting things
                }
                if (m.group(2).length() > Version.MAX_LENGTH) {
                    return Optional.empty();
                }
                return Optional.of(new FileName(fileName, layout, Version.parse(m.group(2)), m.group(2), m.group(3),
                        down));
            }
        }
        return Optional.empty();
    }
}
