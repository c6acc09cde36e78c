package io.flotilla.audit;

import java.time.OffsetDateTime;

/**
 * What {@code GET /api/v1/audit} asks for; a null field does not filter.
 *
 * @param since  entries at or after this instant
 * @param until  entries before this instant
 * @param before entries with a smaller id (the previous page's {@code nextBefore})
 * @param limit  most entries to return
 */
public record AuditQuery(String subject, String action, OffsetDateTime since, OffsetDateTime until, Long before,
                         int limit) {
}
