package io.flotilla.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flotilla.client.ApiClient;

import java.io.PrintStream;
import java.util.Map;

/**
 * Where a verb's result goes. Text (the default) is for humans: the result on stdout, why it failed on stderr.
 * {@code --output json} prints one {@link Envelope} on stdout, of the same shape whether the verb succeeded or not.
 * Either way progress and other chatter go to stderr, so stdout stays the result alone.
 */
public final class Output {

    public enum Format { text, json }

    /** The one JSON document of {@code --output json}: every field always present. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Envelope(boolean ok, int exitCode, String verb, Object data, Error error) {
    }

    /** Why a verb did not succeed: null on success. {@code status}, {@code type} and {@code problem} come from the service. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Error(String message, Integer status, String type, Map<String, Object> problem) {
    }

    /** The generated client's mapper (its dates as ISO-8601 text, its enums as the API spells them), indented. */
    static final ObjectMapper JSON = ApiClient.createDefaultObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Format format;
    private final PrintStream out;
    private final PrintStream err;

    Output(Format format, PrintStream out, PrintStream err) {
        this.format = format == null ? Format.text : format;
        this.out = out;
        this.err = err;
    }

    boolean json() {
        return format == Format.json;
    }

    PrintStream err() {
        return err;
    }

    /** Prints what the verb produced; returns its exit code. */
    int print(String verb, Outcome outcome) {
        if (json()) {
            Error error = outcome.code() == ExitCode.OK ? null : new Error(outcome.problem(), null, null, null);
            out.println(json(new Envelope(outcome.code() == ExitCode.OK, outcome.code().code(), verb, outcome.data(), error)));
        } else {
            if (outcome.text() != null && !outcome.text().isEmpty()) {
                out.println(outcome.text().stripTrailing());
            }
            if (outcome.code() != ExitCode.OK && outcome.problem() != null) {
                err.println("flotilla " + verb + ": " + outcome.problem());
            }
        }
        out.flush();
        return outcome.code().code();
    }

    /** Prints why the verb stopped; returns its exit code. */
    int fail(String verb, CliFailure failure) {
        return fail(verb, failure, failure.exitCode().code());
    }

    /** As {@link #fail(String, CliFailure)} with another process exit code (Ctrl-C's 130). */
    int fail(String verb, CliFailure failure, int exitCode) {
        if (json()) {
            out.println(json(new Envelope(false, exitCode, verb, failure.data(),
                    new Error(failure.getMessage(), failure.status(), failure.type(), failure.problem()))));
            out.flush();
        } else {
            err.println("flotilla " + (verb == null ? "" : verb + ": ") + failure.getMessage());
        }
        return exitCode;
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // Only our own records and the generated models go through here; all of them serialize.
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
