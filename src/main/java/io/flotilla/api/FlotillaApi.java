package io.flotilla.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.servers.Server;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The contract's header, in one place: info, server, tags (each resource names its tag, described here) and the
 * bearer scheme. Every {@code /api/v1} operation needs a bearer JWT (roles by HTTP method, see application.properties;
 * {@link AuthResponsesFilter} adds the 401 they all share). No {@code @ApplicationPath}: resources keep their own paths.
 * {@code openapi.yaml} must pass {@code redocly lint} (tools/redocly): a new tag needs its description here.
 */
@OpenAPIDefinition(
        info = @Info(title = "Flotilla API", version = "0.1.0",
                description = "Migration control plane for schema-per-tenant PostgreSQL. Reads need role viewer, changes"
                        + " operator; deletions, rollbacks and resets admin.",
                // No licence has been granted for this repository: all rights reserved (an SPDX reference of our own,
                // since no SPDX licence says that).
                license = @License(name = "Proprietary", identifier = "LicenseRef-Proprietary")),
        // Relative: the API is served next to this document, wherever the service runs (a fixed host would make
        // the contract depend on the deployment, and clients resolve "/" against the URL they fetched it from).
        servers = @Server(url = "/", description = "The Flotilla service that serves this document"),
        tags = {
                @Tag(name = "Audit", description = "Who changed what through the API, when, and the answer: every"
                        + " change asked for, refused ones included"),
                @Tag(name = "Catalog", description = "The migration files the service runs: versions, SQL, and the lint"
                        + " that builds the whole catalog in a scratch schema"),
                @Tag(name = "Companies", description = "Tenants: onboarding (a company and its schema), status and"
                        + " settings, per-company migrate, verify, seed and reset"),
                @Tag(name = "Fleet", description = "Every company's schema version at a glance, and drift: applied"
                        + " migrations whose files changed since"),
                @Tag(name = "Ledger", description = "The history of every migration step on every schema, with its"
                        + " duration and error"),
                @Tag(name = "Maintenance", description = "Scheduled jobs over tenant schemas (vacuum, analyze, reindex):"
                        + " their schedule, manual runs and each run's outcome per company"),
                @Tag(name = "Monitoring", description = "Connections, table sizes and index use across tenant schemas"),
                @Tag(name = "Moves", description = "Moving a company's schema to another server while it is in use:"
                        + " follow a move's phase, progress, lag and write pause, or cancel it"),
                @Tag(name = "Rollouts", description = "Migrating many companies in waves: plan (dry run), start, pause,"
                        + " resume, cancel and follow a rollout"),
                @Tag(name = "Servers", description = "The PostgreSQL servers tenant schemas live on: register, drain,"
                        + " and where new companies go"),
                @Tag(name = "Webhooks", description = "Notifications: URLs subscribed to rollout, company step,"
                        + " maintenance and server events, and each delivery's attempts and last answer")
        },
        security = @SecurityRequirement(name = "bearer"),
        components = @Components(securitySchemes = @SecurityScheme(securitySchemeName = "bearer",
                type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
                description = "RS256 JWT signed with the service's key; role in the groups claim")))
public class FlotillaApi extends Application {
}
