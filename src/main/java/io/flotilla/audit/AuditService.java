package io.flotilla.audit;

import io.flotilla.sql.Sessions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Writes audit entries (each in a short transaction of its own) and reads them back, newest first. */
@ApplicationScoped
public class AuditService {

    private final Sessions sessions;
    private final AuditRepository entries;

    public AuditService(Sessions sessions, AuditRepository entries) {
        this.sessions = sessions;
        this.entries = entries;
    }

    Uni<AuditEntry> record(AuditEntry entry) {
        return sessions.withTransaction(() -> entries.persist(entry));
    }

    public Uni<List<AuditEntry>> find(AuditQuery query) {
        return sessions.withSession(() -> entries.find(query));
    }
}
