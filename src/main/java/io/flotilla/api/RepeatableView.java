package io.flotilla.api;

import io.flotilla.catalog.Repeatable;

import java.util.List;

/**
 * A repeatable script as the API shows it: no version; it runs again whenever its checksum differs from the one last
 * applied to a company (its state per company is in {@code GET /companies/{id}/migrations}).
 */
public record RepeatableView(String name, String script, String checksum, boolean transactional, List<String> requires) {

    static RepeatableView of(Repeatable r) {
        return new RepeatableView(r.name(), r.script().file(), r.checksum(), r.script().transactional(),
                r.script().requires());
    }
}
