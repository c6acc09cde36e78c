package io.flotilla.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/** The onboarded company, flat as in every company response, plus what was applied to its schema. */
public record OnboardingView(@JsonUnwrapped CompanyView company, @Schema(nullable = true) UUID runId,
                             List<String> appliedVersions,
                             @Schema(description = "What adopting did; only when the request said adopt", nullable = true)
                             AdoptionView adoption) {

    public OnboardingView(CompanyView company, UUID runId, List<String> appliedVersions) {
        this(company, runId, appliedVersions, null);
    }
}
