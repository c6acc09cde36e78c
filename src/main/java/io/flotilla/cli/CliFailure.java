package io.flotilla.cli;

import java.util.Map;

/**
 * Why a verb stopped, with the exit code that says so. Thrown by the verbs and by {@link Failures}; caught once, in
 * {@link Verb}, which prints it (text on stderr, or the JSON envelope on stdout).
 *
 * @param status  HTTP status of the refused request, or null
 * @param type    problem type ({@code urn:flotilla:problem:...}) when the service sent one
 * @param problem the problem+json body as sent, or null
 * @param data    what the verb had got so far (may be null)
 */
public final class CliFailure extends RuntimeException {

    private final ExitCode exitCode;
    private final Integer status;
    private final String type;
    private final transient Map<String, Object> problem;
    private final transient Object data;

    CliFailure(ExitCode exitCode, String message, Integer status, String type, Map<String, Object> problem, Object data) {
        super(message);
        this.exitCode = exitCode;
        this.status = status;
        this.type = type;
        this.problem = problem;
        this.data = data;
    }

    static CliFailure usage(String message) {
        return new CliFailure(ExitCode.USAGE, message, null, null, null, null);
    }

    CliFailure withData(Object partial) {
        return new CliFailure(exitCode, getMessage(), status, type, problem, partial);
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public Integer status() {
        return status;
    }

    public String type() {
        return type;
    }

    public Map<String, Object> problem() {
        return problem;
    }

    public Object data() {
        return data;
    }
}
