package io.flotilla.api;

import io.flotilla.catalog.Layout;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationScript;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A catalog entry as the API shows it; {@code sql} and {@code rollbackSql} only on the single-version view.
 * {@code layout} is the directory's layout, the same on every entry.
 */
public record MigrationView(String version, String name, String checksum, boolean transactional, boolean hasRollback,
                            List<String> requires, String script, @Schema(nullable = true) String rollbackScript,
                            Map<String, String> defaults,
                            @Schema(description = "The layout the catalog directory was read in, detected once at"
                                    + " start-up", enumeration = {"prisma", "flyway", "golang-migrate", "v-up-down", "flotilla",
                                    "dotted", "dbmate", "goose", "sqitch", "liquibase"})
                            String layout,
                            @Schema(nullable = true) String sql, @Schema(nullable = true) String rollbackSql) {

    static MigrationView summary(Migration m, Layout layout) {
        return new MigrationView(m.version().toString(), m.name(), m.checksum(), m.transactional(),
                m.rollback().isPresent(), m.requires(), m.up().file(),
                m.rollback().map(MigrationScript::file).orElse(null), m.up().defaults(), id(layout), null, null);
    }

    static MigrationView detail(Migration m, Layout layout) {
        MigrationView s = summary(m, layout);
        return new MigrationView(s.version, s.name, s.checksum, s.transactional, s.hasRollback, s.requires, s.script,
                s.rollbackScript, s.defaults, s.layout, m.up().sql(), m.rollback().map(MigrationScript::sql).orElse(null));
    }

    /** {@code GOLANG_MIGRATE} → {@code golang-migrate}: how the docs and the start-up line name it. */
    static String id(Layout layout) {
        return layout.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
