package io.flotilla.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * One row of {@code public.audit_entries} (Flyway owns the table, V21): one change asked of the API and its answer.
 * Written once, never changed. Not an API type: {@code api.AuditEntryView} is what clients see.
 */
@Entity
@Table(name = "audit_entries", schema = "public")
public class AuditEntry {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, updatable = false)
    private OffsetDateTime at;

    @Column(updatable = false)
    private String subject;

    @Column(updatable = false)
    private String role;

    @Column(nullable = false, updatable = false)
    private String action;

    @Column(nullable = false, updatable = false)
    private String method;

    @Column(nullable = false, updatable = false)
    private String path;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, updatable = false)
    private Map<String, Object> targets;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(updatable = false)
    private Map<String, Object> summary;

    @Column(nullable = false, updatable = false)
    private int status;

    protected AuditEntry() {
    }

    AuditEntry(OffsetDateTime at, String subject, String role, String action, String method, String path,
               Map<String, Object> targets, Map<String, Object> summary, int status) {
        this.at = at;
        this.subject = subject;
        this.role = role;
        this.action = action;
        this.method = method;
        this.path = path;
        this.targets = targets;
        this.summary = summary;
        this.status = status;
    }

    public Long id() {
        return id;
    }

    public OffsetDateTime at() {
        return at == null ? null : at.withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** The token's subject; null when the request carried no valid token (a 401). */
    public String subject() {
        return subject;
    }

    /** The token's Flotilla role (its highest); null when it named none or there was no valid token. */
    public String role() {
        return role;
    }

    /** The operation id of the resource method the request reached (createCompany, startRollout...). */
    public String action() {
        return action;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The ids the request named in its path ({@code id}, {@code name}...) and, for a creation, the new one's id. */
    public Map<String, Object> targets() {
        return targets == null ? Map.of() : targets;
    }

    /** The request body with secrets cut out ({@link Redaction}); null when there was none. */
    public Map<String, Object> summary() {
        return summary;
    }

    public int status() {
        return status;
    }
}
