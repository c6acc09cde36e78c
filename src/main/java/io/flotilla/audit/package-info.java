/**
 * The audit trail: every change asked of the API (each non-GET operation, refused ones included) recorded with who
 * asked (the token's subject and role), when, what (operation, method, path, target ids, a body summary without
 * secrets) and the answer's status. {@link io.flotilla.audit.AuditRecorder} records it in one place, keyed on the
 * resource method the request reached, so a new operation is audited without anyone remembering to; the entries are
 * a Hibernate Reactive entity, as companies are.
 */
package io.flotilla.audit;
