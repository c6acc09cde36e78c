package io.flotilla.api;

import io.flotilla.adoption.DiscoveryService.Discovered;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A schema on a server that holds another tool's history table and is no company yet. */
public record DiscoveredSchemaView(
        String schemaName,
        @Schema(description = "The tool whose history table it holds", enumeration = {"flyway", "golang-migrate",
                "dbmate", "goose", "prisma", "liquibase"}) String tool,
        String historyTable,
        @Schema(description = "The highest version the history has applied (Liquibase: the last changeset); absent"
                + " when none") String latestVersion,
        @Schema(description = "The history has a dirty, failed, unfinished or rolled-back entry: adopting refuses it")
        boolean dirty,
        @Schema(description = "Entries the history has applied, after the tool's own rules") int applied,
        @Schema(description = "Why the history table could not be read; absent when it was") String error) {

    static DiscoveredSchemaView of(Discovered d) {
        return new DiscoveredSchemaView(d.schemaName(), d.tool().value(), d.historyTable(), d.latestVersion(),
                d.dirty(), d.applied(), d.error());
    }
}
