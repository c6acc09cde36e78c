package io.flotilla.api;

import io.flotilla.security.Role;
import io.quarkus.logging.Log;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A 403 is someone trying a door their role does not open: each refused write is logged once, at INFO, with who (the
 * token's subject and role), the method and the path as it was sent (matrix parameters and all). Never the token.
 * Refused reads go to DEBUG: a dashboard polling with a small token should not fill the log.
 */
@ApplicationScoped
class Refusals {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final CurrentIdentityAssociation identity;

    Refusals(CurrentIdentityAssociation identity) {
        this.identity = identity;
    }

    /** Logs the refusal with why ("needs admin") and answers with the caller's highest role, for the problem's detail. */
    Uni<String> log(HttpServerRequest request, String why) {
        // The identity is resolved by now (it was refused); the deferred one does not block the I/O thread.
        return identity.getDeferredIdentity().map(who -> {
            String role = role(who);
            String subject = who.isAnonymous() ? "(anonymous)" : who.getPrincipal().getName();
            String method = request.method().name();
            String line = "403 %s '%s' may not %s %s: %s";
            if (READS.contains(method)) {
                Log.debugf(line, role, subject, method, request.path(), why);
            } else {
                Log.infof(line, role, subject, method, request.path(), why);
            }
            return role;
        });
    }

    /** The highest Flotilla role the identity holds (the lower ones are implied), or that it holds none. */
    static String role(SecurityIdentity who) {
        List<Role> held = Arrays.stream(Role.values()).filter(r -> who.hasRole(r.value())).toList();
        return held.isEmpty() ? "no role" : held.get(held.size() - 1).value();
    }
}
