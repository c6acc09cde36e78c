package io.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;

/** Reading the rollout JSON of GET /api/v1/rollouts/{id}. */
public final class RolloutJson {

    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "cancelled");

    private RolloutJson() {
    }

    public static String state(JsonNode rollout) {
        return rollout.path("state").asText().toLowerCase();
    }

    public static boolean terminal(JsonNode rollout) {
        return TERMINAL.contains(state(rollout));
    }

    /** Companies of the rollout with the given target status (succeeded, pending, running, ...). */
    public static long targets(JsonNode rollout, String status) {
        return rollout.path("targets").path(status).asLong(0);
    }

    public static String owner(JsonNode rollout) {
        return rollout.path("owner").isTextual() ? rollout.path("owner").asText() : null;
    }

    /** State, owner, counts and failures: what an assertion message needs. */
    public static String summary(JsonNode rollout) {
        if (rollout == null) {
            return "(no rollout read)";
        }
        return "state=" + state(rollout) + " owner=" + owner(rollout) + " targets=" + rollout.path("targets")
                + " steps=" + rollout.path("steps") + " error=" + rollout.path("error") + " failures="
                + rollout.path("failures");
    }
}
