package io.flotilla.security;

import java.util.Arrays;
import java.util.Locale;

/**
 * Who may do what: viewers read, operators also onboard, roll out and run maintenance, admins also do what
 * destroys (roll back, reset a schema, offboard). Carried in the token's {@code groups} claim; the HTTP permissions in
 * application.properties map them onto methods and paths.
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text) {
        return Arrays.stream(values()).filter(r -> r.value().equals(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("role must be viewer, operator or admin; got '" + text + "'"));
    }
}
