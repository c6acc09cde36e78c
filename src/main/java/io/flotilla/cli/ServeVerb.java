package io.flotilla.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * {@code flotilla serve}: documentation and {@code --help} only. {@code serve} alone (or no arguments) never gets
 * here: {@link FlotillaCli#startsService} sends it to the service's start in {@link io.flotilla.cli.FlotillaMain}.
 */
@Command(name = "serve", header = "Start the service (the same as no arguments)",
        description = {"Start the Flotilla service (HTTP API, dashboard, rollout workers, maintenance), as running the jar"
                + " with no arguments does. Configured by environment variables (DB_HOST, PORT, MIGRATIONS_DIR, …: see"
                + " docs/configuration.md). Takes no options."})
final class ServeVerb implements Callable<Integer> {

    @ParentCommand
    FlotillaCli root;

    @Mixin
    FlotillaCli.HelpOption help;

    @Override
    public Integer call() {
        root.err().println("flotilla serve: run it alone, with no other arguments");
        return ExitCode.USAGE.code();
    }
}
