package io.flotilla.server;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileSystemException;

import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where a server's password comes from: an environment variable or a file (a mounted Kubernetes Secret), read each
 * time a connection is made, so a rotated secret is picked up without a restart. The password is never stored,
 * logged or put in a message: errors name the variable or the file, never a value.
 */
@Singleton
public class ServerCredentials {

    private static final Pattern ENV_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");

    private final Function<String, String> environment;

    public ServerCredentials() {
        this(System::getenv);
    }

    /** With another environment, for tests. */
    public ServerCredentials(Function<String, String> environment) {
        this.environment = environment;
    }

    /** Checks a source as a request gives it: at most one of the two, a valid variable name, an absolute path. */
    public static void validate(String env, String file) {
        if (env != null && file != null) {
            throw invalid("passwordFrom", "passwordFrom is either {\"env\": NAME} or {\"file\": PATH}, not both");
        }
        if (env != null && !ENV_NAME.matcher(env).matches()) {
            throw invalid("passwordFrom.env", "passwordFrom.env must be an environment variable name"
                    + " ([A-Za-z_][A-Za-z0-9_]*)");
        }
        if (file != null && (file.isBlank() || !Path.of(file).isAbsolute() || file.length() > 4096)) {
            throw invalid("passwordFrom.file", "passwordFrom.file must be an absolute path");
        }
    }

    /** The password now, blocking (a file read): null when the server has no password source. */
    public String password(Server.Connection c) {
        if (c.passwordEnv() != null) {
            return fromEnv(c.passwordEnv());
        }
        if (c.passwordFile() != null) {
            try {
                return trim(Files.readString(Path.of(c.passwordFile()), StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                throw missingFile(c.passwordFile(), "does not exist");
            } catch (IOException e) {
                throw missingFile(c.passwordFile(), "cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        return null;
    }

    /** The password now, without blocking the event loop: a file is read through Vert.x. */
    public Future<String> password(Vertx vertx, Server.Connection c) {
        if (c.passwordFile() == null) {
            try {
                return Future.succeededFuture(password(c));
            } catch (FlotillaException e) {
                return Future.failedFuture(e);
            }
        }
        return vertx.fileSystem().readFile(c.passwordFile())
                .map(buffer -> trim(buffer.toString(StandardCharsets.UTF_8)))
                .recover(e -> Future.failedFuture(missingFile(c.passwordFile(), e instanceof FileSystemException
                        && e.getCause() instanceof NoSuchFileException ? "does not exist" : "cannot be read")));
    }

    private String fromEnv(String name) {
        String value = environment.apply(name);
        if (value == null) {
            throw new FlotillaException(ErrorCode.SERVER_CREDENTIALS, "The environment variable " + name
                    + " that holds the server's password is not set in the service's environment",
                    Map.of("field", "passwordFrom.env"));
        }
        return value;
    }

    /** A Secret mounted as a file usually ends with a newline that is not part of the password. */
    private static String trim(String content) {
        return content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
    }

    private static FlotillaException missingFile(String file, String why) {
        return new FlotillaException(ErrorCode.SERVER_CREDENTIALS, "The password file " + file + " " + why,
                Map.of("field", "passwordFrom.file"));
    }

    private static FlotillaException invalid(String field, String detail) {
        return new FlotillaException(ErrorCode.INVALID_SERVER, detail, Map.of("field", field));
    }
}
