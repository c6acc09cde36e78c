package io.flotilla.cli;

import io.flotilla.security.Role;
import io.flotilla.security.TokenCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code flotilla token}: prints a signed API token, alone on stdout, as it always has. */
@Command(name = "token", header = "Print a signed API token", sortOptions = false,
        description = {"Print a signed API token on stdout, and nothing else, with the service's key:"
                + " $SMALLRYE_JWT_SIGN_KEY_LOCATION, else the zero-setup key under $FLOTILLA_DATA_DIR/keys (issuer"
                + " $MP_JWT_VERIFY_ISSUER or flotilla). Needs no running service. Exit 0, or 2 on bad arguments or no key."},
        footer = {"", "Example:", "  TOKEN=$(flotilla token --role operator --ttl 1h)"})
final class TokenVerb implements Callable<Integer> {

    static final class RoleConverter implements ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            return Role.parse(value);
        }
    }

    @ParentCommand
    FlotillaCli root;

    @Mixin
    FlotillaCli.HelpOption help;

    @Option(names = "--role", paramLabel = "viewer|operator|admin", defaultValue = "viewer", converter = RoleConverter.class,
            description = "viewer reads, operator also changes and rolls out, admin also rolls back and deletes (default viewer)")
    Role role;

    @Option(names = "--ttl", paramLabel = "D", defaultValue = "1h", converter = RolloutVerbs.DurationConverter.class,
            description = "how long it is valid: 90s, 30m, 1h, 7d or ISO-8601 like PT2H (default 1h)")
    Duration ttl;

    @Option(names = "--subject", paramLabel = "NAME", defaultValue = TokenSource.SUBJECT,
            description = "who the token names (default " + TokenSource.SUBJECT + ")")
    String subject;

    @Override
    public Integer call() {
        if (subject.isBlank()) {
            root.err().println("token: --subject needs a value");
            return ExitCode.USAGE.code();
        }
        return TokenCommand.print(role, ttl, subject, root.settings(), root.dataDir(), root.out(), root.err());
    }
}
