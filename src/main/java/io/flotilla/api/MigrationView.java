package io.flotilla.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.flotilla.catalog.Migration;
import io.flotilla.catalog.MigrationScript;

import java.util.List;
import java.util.Map;

/** A catalog entry as the API shows it; {@code sql} and {@code rollbackSql} only on the single-version view. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationView(String version, String name, String checksum, boolean transactional, boolean hasRollback,
                            List<String> requires, String script, String rollbackScript, Map<String, String> defaults,
                            String sql, String rollbackSql) {

    static MigrationView summary(Migration m) {
        return new MigrationView(m.version().toString(), m.name(), m.checksum(), m.transactional(),
                m.rollback().isPresent(), m.requires(), m.up().file(),
                m.rollback().map(MigrationScript::file).orElse(null), m.up().defaults(), null, null);
    }

    static MigrationView detail(Migration m) {
        MigrationView s = summary(m);
        return new MigrationView(s.version, s.name, s.checksum, s.transactional, s.hasRollback, s.requires, s.script,
                s.rollbackScript, s.defaults, m.up().sql(), m.rollback().map(MigrationScript::sql).orElse(null));
    }
}
