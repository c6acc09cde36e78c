package io.flotilla.api;

import io.flotilla.tenant.CompanyStatus;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.Map;

/** Body of {@code PATCH /api/v1/companies/{id}}: what to change; absent fields stay. */
public record CompanyPatch(@Schema(implementation = CompanyStatus.class) String status, Map<String, Object> settings) {
}
