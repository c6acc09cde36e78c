package io.flotilla.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** The exit codes of every verb, the same for all; the usage text lists them from here. */
public enum ExitCode {
    OK(0, "success"),
    FAILED(1, "a migration failed somewhere; lint or verify found problems (lint --dir: or the catalog does not"
            + " load); a rollout ended failed or cancelled"),
    USAGE(2, "usage, connection or authentication error, or any other request the service refused"),
    CHECK_FAILED(3, "status --check found pending or failed versions"),
    GAVE_UP(4, "gave up waiting: a schema busy under another migration, or --timeout while following (the rollout goes on)");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    /** For picocli's exit code section of the usage help. */
    static Map<String, String> usageList() {
        Map<String, String> list = new LinkedHashMap<>();
        for (ExitCode c : values()) {
            list.put(Integer.toString(c.code), c.meaning);
        }
        return list;
    }
}
