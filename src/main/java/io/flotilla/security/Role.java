package io.flotilla.security;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may do what: viewers read, operators also onboard, roll out and run maintenance, admins also do what
 * destroys (roll back, reset a schema, offboard, register servers). Carried in the token's {@code groups} claim; each
 * resource method names the least role it needs with {@code @RolesAllowed} ({@link #VIEWER_NAME} and so on), and
 * {@link RoleHierarchy} gives a token the roles below its own, so that "operator" on a method means operator or admin.
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    /** The names as annotation values must spell them (compile-time constants); equal to {@link #value()}. */
    public static final String VIEWER_NAME = "viewer";
    public static final String OPERATOR_NAME = "operator";
    public static final String ADMIN_NAME = "admin";

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** This role and every role below it: an admin may do what an operator and a viewer may. */
    public List<Role> includes() {
        return Arrays.asList(values()).subList(0, ordinal() + 1);
    }

    /** The role a token's group names, if it names one. */
    public static Optional<Role> find(String text) {
        return Arrays.stream(values()).filter(r -> r.value().equals(text)).findFirst();
    }

    public static Role parse(String text) {
        return find(text)
                .orElseThrow(() -> new IllegalArgumentException("role must be viewer, operator or admin; got '" + text + "'"));
    }
}
