package io.flotilla.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.security.Role;
import io.quarkus.logging.Log;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records every request that reached a resource method and asked for a change (any method but GET, HEAD and
 * OPTIONS), once its answer is known, refusals included (401, 403, 400, 409...): keyed on the resource method, so a
 * new operation is audited without anyone remembering to. The entry is committed before the answer leaves, so a
 * client that has its answer finds it in {@code GET /api/v1/audit}; a failure to write it is logged as an error and
 * the answer goes out unchanged (the change, if any, is already committed). What comes from the token is its subject
 * and role only; the body only as {@link Redaction} leaves it.
 */
public class AuditRecorder {

    /** Where {@link BodyCapture} leaves the request's body for the summary. */
    static final String BODY = AuditRecorder.class.getName() + ".body";
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final int MAX_PATH = 500;

    private final AuditService audit;
    private final CurrentIdentityAssociation identity;
    private final ObjectMapper json;
    private final Map<Method, String> actions = new ConcurrentHashMap<>();

    public AuditRecorder(AuditService audit, CurrentIdentityAssociation identity, ObjectMapper json) {
        this.audit = audit;
        this.identity = identity;
        this.json = json;
    }

    @ServerResponseFilter
    public Uni<Void> record(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null || READS.contains(request.getMethod())) {
            return Uni.createFrom().voidItem();
        }
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC);
        String action = actions.computeIfAbsent(method, AuditRecorder::action);
        String path = request.getUriInfo().getRequestUri().getRawPath();
        Map<String, Object> targets = targets(request, response);
        Map<String, Object> summary = summary(request.getProperty(BODY));
        int status = response.getStatus();
        return identity.getDeferredIdentity()
                .onFailure().recoverWithNull() // an invalid token: a 401 with nobody behind it
                .flatMap(who -> audit.record(new AuditEntry(at, subject(who), role(who), action, request.getMethod(),
                        path.length() <= MAX_PATH ? path : path.substring(0, MAX_PATH), targets, summary, status)))
                .onFailure().recoverWithItem(e -> {
                    Log.errorf(e, "Audit entry not written for %s %s (%s, answered %d)", request.getMethod(), path,
                            action, status);
                    return null;
                })
                .replaceWithVoid();
    }

    /** The method's operation id, as the contract names the operation; its Java name where it declares none. */
    private static String action(Method method) {
        Operation operation = method.getAnnotation(Operation.class);
        return operation != null && !operation.operationId().isEmpty() ? operation.operationId()
                : method.getDeclaringClass().getSimpleName() + "." + method.getName();
    }

    private Map<String, Object> summary(Object body) {
        try {
            return Redaction.summary(json, body);
        } catch (RuntimeException e) {
            return Map.of("unreadable", e.getClass().getSimpleName());
        }
    }

    /** The path's parameters, and the id of what a 201 or 202 made (its Location, or the answer's own id). */
    private static Map<String, Object> targets(ContainerRequestContext request, ContainerResponseContext response) {
        Map<String, Object> targets = new LinkedHashMap<>();
        request.getUriInfo().getPathParameters().forEach((name, values) -> targets.put(name,
                values.size() == 1 ? values.get(0) : List.copyOf(values)));
        int status = response.getStatus();
        if (status == 201 || status == 202) {
            String created = created(response);
            if (created != null) {
                targets.put("created", created);
            }
        }
        return targets;
    }

    private static String created(ContainerResponseContext response) {
        Object location = response.getHeaders().getFirst(HttpHeaders.LOCATION);
        if (location != null) {
            String p = location instanceof URI uri ? uri.getPath() : URI.create(location.toString()).getPath();
            if (p != null && !p.isEmpty()) {
                return p.substring(p.lastIndexOf('/') + 1);
            }
        }
        Object entity = response.getEntity();
        if (entity != null && entity.getClass().isRecord()) {
            for (RecordComponent component : entity.getClass().getRecordComponents()) {
                if (component.getName().equals("id")) {
                    try {
                        Object id = component.getAccessor().invoke(entity);
                        return id == null ? null : id.toString();
                    } catch (ReflectiveOperationException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    private static String subject(SecurityIdentity who) {
        if (who == null || who.isAnonymous()) {
            return null;
        }
        if (who.getPrincipal() instanceof JsonWebToken token && token.getSubject() != null) {
            return token.getSubject();
        }
        return who.getPrincipal().getName();
    }

    /** The highest Flotilla role the identity holds (the token names one; the ones below are implied). */
    private static String role(SecurityIdentity who) {
        if (who == null || who.isAnonymous()) {
            return null;
        }
        return who.getRoles().stream().flatMap(name -> Role.find(name).stream())
                .max(Comparator.naturalOrder()).map(Role::value).orElse(null);
    }
}
