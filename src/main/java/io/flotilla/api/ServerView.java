package io.flotilla.api;

import io.flotilla.server.Server;
import io.flotilla.server.ServerCounts;
import io.flotilla.server.ServerService;
import io.flotilla.server.ServerState;
import io.flotilla.server.TlsMode;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A tenant server as clients see it: its row without any secret (only where the password is read) and its company
 * counts. For home, host, port, database, user, tlsMode and passwordFrom are absent: it is the service's own
 * datasource.
 */
@Schema(name = "Server")
public record ServerView(
        String name, @Schema(nullable = true) String host, @Schema(nullable = true) Integer port,
        @Schema(nullable = true) String database, @Schema(nullable = true) String user,
        @Schema(nullable = true) TlsMode tlsMode,
        @Schema(nullable = true) PasswordFrom passwordFrom, int connectionBudget,
        @Schema(nullable = true) Integer schemaCapacity, ServerState state,
        @Schema(description = "PostgreSQL's server_version, read at registration",
                nullable = true) String version,
        @Schema(description = "pg_available_extensions, read at registration") List<String> extensions,
        @Schema(description = "Answer to the last check; absent before the first", nullable = true) Boolean reachable,
        @Schema(description = "The last check's error; absent when it answered", nullable = true) String lastError,
        @Schema(nullable = true) OffsetDateTime lastCheckedAt,
        @Schema(description = "Companies on this server, not deleted") long companies,
        @Schema(description = "Active companies not at the catalog's latest version") long pending,
        @Schema(description = "Active companies whose last step failed") long failed,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public static ServerView of(ServerService.Listed listed) {
        return of(listed.server(), listed.counts());
    }

    public static ServerView of(Server s, ServerCounts counts) {
        PasswordFrom from = s.passwordEnv() != null ? new PasswordFrom(s.passwordEnv(), null)
                : s.passwordFile() != null ? new PasswordFrom(null, s.passwordFile()) : null;
        return new ServerView(s.name(), s.host(), s.port(), s.database(), s.user(), s.home() ? null : s.tlsMode(), from,
                s.connectionBudget(), s.schemaCapacity(), s.state(), s.version(), s.extensions(), s.reachable(),
                s.lastError(), s.lastCheckedAt(), counts.companies(), counts.pending(), counts.failed(), s.createdAt(),
                s.updatedAt());
    }
}
