package io.flotilla.cli;

/**
 * What a verb produced: its exit code, its data (the {@code data} of the JSON envelope), the text a human reads on
 * stdout, and, when the code is not 0, why in one line (the envelope's {@code error.message}).
 */
record Outcome(ExitCode code, Object data, String text, String problem) {

    static Outcome ok(Object data, String text) {
        return new Outcome(ExitCode.OK, data, text, null);
    }

    static Outcome of(ExitCode code, Object data, String text, String problem) {
        return new Outcome(code, data, text, code == ExitCode.OK ? null : problem);
    }
}
