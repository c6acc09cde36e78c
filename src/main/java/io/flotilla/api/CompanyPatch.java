package io.flotilla.api;

import java.util.Map;

/** Body of {@code PATCH /api/v1/companies/{id}}: what to change; absent fields stay. */
public record CompanyPatch(String status, Map<String, Object> settings) {
}
