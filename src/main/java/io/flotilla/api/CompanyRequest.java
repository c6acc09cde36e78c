package io.flotilla.api;

import java.util.Map;

/** Body of {@code POST /api/v1/companies}. */
public record CompanyRequest(String companyName, String schemaName, String status, Map<String, Object> settings) {
}
