package io.flotilla.error;

/**
 * Every failure Flotilla reports, grouped by concept. Each code knows its HTTP status so that one mapper
 * ({@code io.flotilla.api.ProblemMapper}) turns any {@link FlotillaException} into {@code application/problem+json}.
 */
public enum ErrorCode {
    // request
    INVALID_REQUEST(400, "Invalid request"),
    INVALID_SCHEMA_NAME(400, "Invalid schema name"),
    INVALID_COMPANY_NAME(400, "Invalid company name"),
    INVALID_STATUS(400, "Invalid status"),
    INVALID_SETTINGS(400, "Invalid settings"),
    INVALID_VERSION(400, "Invalid version"),
    INVALID_WINDOW(400, "Invalid maintenance window"),
    PAYLOAD_TOO_LARGE(413, "Request body too large"),

    // security
    UNAUTHORIZED(401, "Authentication required"),
    FORBIDDEN(403, "Not allowed for this role"),

    // tenant
    COMPANY_NOT_FOUND(404, "Company not found"),
    COMPANY_NAME_TAKEN(409, "Company name already used"),
    SCHEMA_NAME_TAKEN(409, "Schema name already used"),
    SCHEMA_EXISTS(409, "Schema already exists in the database"),
    COMPANY_NOT_ACTIVE(409, "Company is not active"),
    SCHEMA_MISSING(409, "Company schema does not exist"),
    PRODUCTION_COMPANY(409, "Company is marked production"),
    CONFIRMATION_MISMATCH(400, "Confirmation does not match the schema name"),

    // catalog
    MIGRATION_NOT_FOUND(404, "Migration not found"),
    CATALOG_INVALID(500, "Migration catalog is invalid"),
    UNRESOLVED_PLACEHOLDER(422, "Unresolved template placeholder"),
    UNSAFE_TEMPLATE_VALUE(422, "Template value unsafe to substitute into SQL"),
    ROLLBACK_MISSING(422, "Rollback not possible"),
    EXTENSION_MISSING(422, "Required extension not available"),
    SEEDS_MISSING(422, "No seed files"),
    SEED_INVALID(422, "Seed file is invalid"),

    // rollout
    ROLLOUT_NOT_FOUND(404, "Rollout not found"),
    ROLLOUT_CONFLICT(409, "Companies already in another rollout"),
    ROLLOUT_STATE(409, "Rollout is not in a state that allows this"),
    COMPANY_IN_ROLLOUT(409, "Company is in an unfinished rollout"),

    // maintenance
    JOB_NOT_FOUND(404, "Maintenance job not found"),
    RUN_NOT_FOUND(404, "Maintenance run not found"),

    // servers
    INVALID_SERVER(400, "Invalid server definition"),
    SERVER_NOT_FOUND(404, "Server not found"),
    SERVER_NAME_TAKEN(409, "Server name already used"),
    SERVER_IS_HOME(409, "Server is the control plane's own database"),
    SERVER_STATE(409, "Server state change not allowed"),
    SERVER_UNREACHABLE(422, "Server cannot be reached"),
    SERVER_CREDENTIALS(422, "Server password source is not readable"),

    // execution
    SCHEMA_BUSY(409, "Schema is being migrated by another process"),
    SERVER_UNAVAILABLE(503, "PostgreSQL server unavailable"),
    SERVER_UNKNOWN(400, "Unknown server"),
    SERVER_NOT_ACCEPTING(409, "Server takes no new companies"),
    ADOPTION_REFUSED(422, "Schema cannot be adopted as it stands"),
    ADOPTION_JOB_NOT_FOUND(404, "Adoption job not found"),
    DRIFT_DETECTED(409, "Applied migrations changed since they were applied"),
    MIGRATION_FAILED(500, "Migration failed"),
    SEED_FAILED(422, "Seed failed"),

    // moves
    MOVE_NOT_FOUND(404, "Move not found"),
    MOVE_REFUSED(409, "Company cannot be moved now"),
    MOVE_DRIFTED(422, "Company schema differs from its applied versions"),
    MOVE_STATE(409, "Move is not in a state that allows this"),

    // notifications
    INVALID_WEBHOOK(400, "Invalid webhook subscription"),
    WEBHOOK_NOT_FOUND(404, "Webhook subscription not found");

    private final int status;
    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** A stable, documented problem type, e.g. {@code urn:flotilla:problem:schema-busy}. */
    public String type() {
        return "urn:flotilla:problem:" + name().toLowerCase().replace('_', '-');
    }
}
