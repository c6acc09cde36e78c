package io.flotilla.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** Audit entries newest first; pass {@code nextBefore} as {@code before} for the next page (absent on the last page). */
public record AuditPage(List<AuditEntryView> items, @Schema(nullable = true) Long nextBefore) {
}
