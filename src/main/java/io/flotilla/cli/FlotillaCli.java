package io.flotilla.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code flotilla <verb>}: the command line, in the service's own jar. {@link io.flotilla.cli.FlotillaMain} starts
 * the service when {@link #startsService} says so (no arguments, or {@code serve}) and hands every other argument list
 * to {@link #run}, which never starts it: an unknown verb or option prints the usage and exits 2.
 */
@Command(name = "flotilla", sortOptions = false, usageHelpAutoWidth = true,
        description = {"The command line of Flotilla, the migration control plane for schema-per-tenant PostgreSQL:"
                + " the verbs teams run from terminals and pipelines, backed by the running service over its HTTP API"
                + " (create, token and lint --dir work without it). `flotilla VERB --help` tells more."},
        subcommands = {ServeVerb.class, CreateVerb.class, StatusVerb.class, RolloutVerbs.Migrate.class,
                RolloutVerbs.Follow.class, RolloutVerbs.Rollback.class, AdoptVerb.class, CheckVerbs.Lint.class, CheckVerbs.Verify.class,
                CompanyVerbs.Seed.class, CompanyVerbs.Reset.class, TokenVerb.class, CommandLine.HelpCommand.class},
        footerHeading = "%nEnvironment:%n",
        footer = {
                "  FLOTILLA_URL      the service (default " + ServiceConnection.DEFAULT_URL + "); --url overrides",
                "  FLOTILLA_TOKEN    bearer token for every request; --token overrides",
                "  SMALLRYE_JWT_SIGN_KEY_LOCATION",
                "                    the service's private key (default",
                "                    $FLOTILLA_DATA_DIR/keys/jwt-private.pem, FLOTILLA_DATA_DIR",
                "                    default ~/.flotilla). With no token given and this key",
                "                    readable, a verb signs its own 10-minute token with the",
                "                    role it needs (viewer reads, operator changes, admin",
                "                    rollback and reset): a local user, or a Kubernetes Job",
                "                    with the key mounted, needs no token plumbing.",
                "  MIGRATIONS_DIR    where create writes (default ./migrations); --dir overrides",
                "  FLOTILLA_JAR      the jar bin/flotilla runs (default: the checkout's build)",
                "  FLOTILLA_JAVA_OPTS  extra JVM options for bin/flotilla",
                "",
                "--output json prints one JSON document on stdout, the same shape on success",
                "and failure: {\"ok\", \"exitCode\", \"verb\", \"data\", \"error\"}; error is null on",
                "success, else {\"message\", \"status\", \"type\", \"problem\"} (HTTP status and",
                "problem type when the service refused). Progress goes to stderr.",
                "Ctrl-C while following a rollout stops following only (exit 130).",
                "",
                "Examples (CI):",
                "  flotilla lint --dir migrations          (a pull request: no service, no database)",
                "  flotilla lint && flotilla migrate --canary 2 --timeout 30m",
                "  flotilla status --check --output json > fleet.json"})
public final class FlotillaCli implements Callable<Integer> {

    /** {@code --help}, mixed into every verb. */
    static final class HelpOption {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help", order = 99)
        boolean help;
    }

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    @Spec
    CommandSpec spec;

    private final Function<String, String> settings;
    private final Path dataDir;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    FlotillaCli(Function<String, String> settings, Path dataDir, PrintStream out, PrintStream err, boolean terminal) {
        this.settings = settings;
        this.dataDir = dataDir;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    /** No arguments, or {@code serve} alone: start the service. Anything else is a command-line verb. */
    public static boolean startsService(String... args) {
        return args.length == 0 || (args.length == 1 && args[0].equals("serve"));
    }

    /**
     * Runs the verb {@code args} name and returns the process exit code ({@link ExitCode}). {@code settings} reads
     * system properties and the environment; {@code dataDir} is {@code FLOTILLA_DATA_DIR} (the zero-setup key's home).
     */
    public static int run(String[] args, Function<String, String> settings, Path dataDir, PrintStream out, PrintStream err) {
        return run(args, settings, dataDir, out, err, System.console() != null);
    }

    static int run(String[] args, Function<String, String> settings, Path dataDir, PrintStream out, PrintStream err,
                   boolean terminal) {
        return commandLine(new FlotillaCli(settings, dataDir, out, err, terminal)).execute(args);
    }

    /**
     * The usage error {@code args} would stop at (an unknown verb or option, a missing or bad value), or empty when
     * they parse. Runs nothing: for checking a command line written down elsewhere (k8s/rollout-job.yaml).
     */
    public static Optional<String> usageError(String... args) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        try {
            commandLine(new FlotillaCli(name -> null, Path.of("."), nowhere, nowhere, false)).parseArgs(args);
            return Optional.empty();
        } catch (CommandLine.ParameterException e) {
            return Optional.of(e.getMessage());
        }
    }

    static CommandLine commandLine(FlotillaCli root) {
        CommandLine cl = new CommandLine(root);
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(root.out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(root.err, StandardCharsets.UTF_8), true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(root::usageError);
        cl.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("flotilla " + command.getCommandName() + ": unexpected " + e);
            return ExitCode.USAGE.code();
        });
        exitCodes(cl);
        return cl;
    }

    /** The same exit code list in every verb's usage. */
    private static void exitCodes(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        if (!(spec.userObject() instanceof CommandLine.HelpCommand)) {
            spec.usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCode.usageList());
        }
        cl.getSubcommands().values().forEach(FlotillaCli::exitCodes);
    }

    /** An unknown verb or option, a missing or bad value: the message and the usage on stderr, exit 2, nothing started. */
    private int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        boolean atRoot = command.getCommandSpec().parent() == null;
        String message = e.getMessage();
        if (atRoot && e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            message = "unknown verb '" + u.getUnmatched().get(0) + "'";
        }
        PrintWriter w = command.getErr();
        w.println("flotilla" + (atRoot ? "" : " " + command.getCommandName()) + ": " + message);
        UnmatchedArgumentException.printSuggestions(e, w);
        w.println();
        command.usage(w);
        w.flush();
        if (jsonRequested(args)) {
            new Output(Output.Format.json, out, err).fail(atRoot ? null : command.getCommandName(), CliFailure.usage(message));
        }
        return ExitCode.USAGE.code();
    }

    /** Whether {@code --output json} is among arguments that did not parse, so that even a usage error is JSON. */
    static boolean jsonRequested(String[] args) {
        List<String> list = List.of(args);
        for (int i = 0; i < list.size(); i++) {
            String a = list.get(i).toLowerCase(Locale.ROOT);
            if (a.equals("--output=json") || a.equals("-o=json") || a.equals("-ojson")
                    || (a.equals("--output") || a.equals("-o")) && i + 1 < list.size()
                    && list.get(i + 1).equalsIgnoreCase("json")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Integer call() {
        err.println("flotilla: name a verb");
        spec.commandLine().usage(err);
        return ExitCode.USAGE.code();
    }

    Function<String, String> settings() {
        return settings;
    }

    Path dataDir() {
        return dataDir;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    boolean terminal() {
        return terminal;
    }
}
