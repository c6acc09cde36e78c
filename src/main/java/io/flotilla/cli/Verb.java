package io.flotilla.cli;

import io.flotilla.security.Role;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * A verb: parses its options (picocli), does its work in {@link #run}, and leaves printing and the exit code to
 * {@link Output}: whatever it returns or throws ends here, as text or as the JSON envelope.
 */
abstract class Verb implements Callable<Integer> {

    /** {@code --output text|json}, on every verb that reports a result. */
    static final class OutputOptions {
        @Option(names = {"-o", "--output"}, paramLabel = "text|json", defaultValue = "text", order = 90,
                description = "text (default, for people) or json: one JSON document on stdout, the same shape on"
                        + " success and failure: {ok, exitCode, verb, data, error}. Progress goes to stderr either way.")
        Output.Format format;
    }

    @ParentCommand
    FlotillaCli root;

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions outputOptions;

    @Mixin
    FlotillaCli.HelpOption help;

    @Override
    public final Integer call() {
        Output output = new Output(outputOptions.format, root.out(), root.err());
        String verb = spec.name();
        try {
            return output.print(verb, run(output));
        } catch (CliFailure f) {
            return output.fail(verb, f);
        } catch (RuntimeException e) {
            return output.fail(verb, new CliFailure(ExitCode.USAGE, "unexpected " + e, null, null, null, null));
        }
    }

    /** Does the verb's work; a failure is a {@link CliFailure}. */
    protected abstract Outcome run(Output output);

    /** A verb that calls the service. */
    abstract static class OnService extends Verb {

        /** {@code --url} and {@code --token}, with their environment fallbacks. */
        static final class ServiceOptions {
            @Option(names = "--url", paramLabel = "URL", order = 91,
                    description = "the Flotilla service (default: $FLOTILLA_URL, else " + ServiceConnection.DEFAULT_URL + ")")
            String url;

            @Option(names = "--token", paramLabel = "JWT", order = 92,
                    description = "bearer token (default: $FLOTILLA_TOKEN; with neither, a 10-minute token signed with"
                            + " the key in $SMALLRYE_JWT_SIGN_KEY_LOCATION or $FLOTILLA_DATA_DIR/keys, when readable, for"
                            + " the role this verb needs)")
            String token;
        }

        @Mixin
        ServiceOptions serviceOptions;

        /** The role the verb needs (reads: viewer, the default); a self-signed token gets it. */
        Role role() {
            return Role.VIEWER;
        }

        ServiceConnection connect() {
            return ServiceConnection.open(serviceOptions.url, serviceOptions.token, root.settings(), root.dataDir(), role());
        }
    }
}
