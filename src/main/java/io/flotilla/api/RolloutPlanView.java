package io.flotilla.api;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.Version;
import io.flotilla.rollout.RolloutPlan;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What a dry run answers: the plan, companies × versions, with the template values each company gets. */
public record RolloutPlanView(boolean dryRun, @Schema(implementation = Direction.class) String direction, @Schema(nullable = true) String targetVersion,
                              int companies, int steps,
                              int waves, int upToDate, List<Item> plan) {

    @Schema(name = "RolloutPlanItem")
    /** {@code repeatables}: names of the repeatable migrations the company runs after its versions. */
    public record Item(UUID companyId, String companyName, String schemaName, int wave, List<String> versions,
                       List<String> repeatables, Map<String, String> templateValues) {
    }

    static RolloutPlanView of(RolloutPlan plan) {
        return new RolloutPlanView(true, plan.target().direction().value(),
                plan.target().version() == null ? null : plan.target().version().toString(),
                plan.entries().size(), plan.steps(), plan.waves(), plan.upToDate().size(),
                plan.entries().stream().map(e -> new Item(e.company().id(), e.company().companyName(),
                        e.company().schemaName(), e.wave(),
                        e.versions().stream().map(Version::toString).toList(), e.repeatables(), e.templateValues())).toList());
    }
}
