package io.flotilla.security;

import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One table of who may do what, kept equal three ways: the roles table of docs/security.md lists exactly the
 * operations of openapi.yaml (same method, path and role: the contract names it in each operation's {@code security}), and each
 * names the role that the resource method's {@code @RolesAllowed} names. Every JAX-RS method of the service declares
 * its role on the method itself: one with none fails here (and is refused at run time by
 * {@code quarkus.security.jaxrs.deny-unannotated-endpoints}). The served behaviour is
 * {@link AuthorizationMatrixTest}'s.
 */
class RolesTableTest {

    @Test
    void theReadmeListsEveryOperationOfTheContractOnceWithItsRole() {
        Map<String, RolesTable.Row> rows = RolesTable.rows();
        List<String> wrong = new ArrayList<>();
        for (RolesTable.Operation op : RolesTable.contract()) {
            RolesTable.Row row = rows.remove(op.id());
            if (row == null) {
                wrong.add(op.id() + " (" + op.method() + " " + op.template()
                        + ") is missing from the roles table of docs/security.md");
            } else if (!row.method().equals(op.method()) || !row.path().equals(op.template())) {
                wrong.add(op.id() + ": docs/security.md says " + row.method() + " " + row.path() + ", the contract "
                        + op.method() + " " + op.template());
            } else if (!row.role().value().equals(op.role())) {
                wrong.add(op.id() + ": docs/security.md says " + row.role().value() + ", the contract's security requirement "
                        + op.role());
            }
        }
        rows.keySet().forEach(id -> wrong.add(id + " is in the roles table of docs/security.md but not in openapi.yaml"));
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void everyResourceMethodDeclaresTheRoleTheReadmeSays() throws Exception {
        Map<String, Role> declared = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        for (Method method : resourceMethods()) {
            String where = method.getDeclaringClass().getSimpleName() + "." + method.getName();
            RolesAllowed roles = method.getAnnotation(RolesAllowed.class);
            if (roles == null || method.isAnnotationPresent(PermitAll.class) || method.isAnnotationPresent(DenyAll.class)) {
                wrong.add(where + " must declare exactly one role with @RolesAllowed on the method (no @PermitAll)");
                continue;
            }
            if (roles.value().length != 1) {
                wrong.add(where + " names " + List.of(roles.value()) + ": name the least role, the ones above are implied");
                continue;
            }
            Operation operation = method.getAnnotation(Operation.class);
            if (operation == null) {
                wrong.add(where + " has no @Operation(operationId)");
                continue;
            }
            declared.put(operation.operationId(), Role.parse(roles.value()[0]));
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertEquals(new TreeMap<>(RolesTable.readme()), declared,
                "the roles table of docs/security.md and the @RolesAllowed of the resource methods");
    }

    @Test
    void roleNamesInAnnotationsAreTheRolesTokensCarry() {
        assertEquals(Role.VIEWER.value(), Role.VIEWER_NAME);
        assertEquals(Role.OPERATOR.value(), Role.OPERATOR_NAME);
        assertEquals(Role.ADMIN.value(), Role.ADMIN_NAME);
        assertEquals(List.of(Role.VIEWER, Role.OPERATOR), Role.OPERATOR.includes());
        assertFalse(Role.VIEWER.includes().contains(Role.OPERATOR));
    }

    /** Every method of the service's classes with a JAX-RS method designator (@GET, @POST, ...). */
    static List<Method> resourceMethods() throws IOException, ClassNotFoundException {
        java.nio.file.Path classes = Paths.get("target/classes");
        List<String> names;
        try (Stream<java.nio.file.Path> files = Files.walk(classes.resolve("io/flotilla"))) {
            names = files.map(f -> classes.relativize(f).toString())
                    .filter(f -> f.endsWith(".class") && !f.startsWith("io/flotilla/client/"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.')).toList();
        }
        List<Method> methods = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(name, false, RolesTableTest.class.getClassLoader());
            for (Method m : type.getDeclaredMethods()) {
                boolean endpoint = Stream.of(m.getAnnotations()).map(Annotation::annotationType)
                        .anyMatch(a -> a.isAnnotationPresent(HttpMethod.class));
                if (endpoint || (m.isAnnotationPresent(Path.class) && type.isAnnotationPresent(Path.class))) {
                    methods.add(m);
                }
            }
        }
        assertTrue(methods.size() > 20, "found the resource methods under " + classes.toAbsolutePath());
        return methods;
    }
}
