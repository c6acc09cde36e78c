package io.flotilla.rollout;

import io.flotilla.catalog.Version;
import io.flotilla.migration.Target;
import io.flotilla.tenant.Company;

import java.util.List;
import java.util.Map;

/**
 * Companies × versions, in waves. {@code upToDate} companies have nothing to do and are not touched.
 */
public record RolloutPlan(Target target, List<Entry> entries, List<Company> upToDate) {

    /** One company's part: its wave, the versions it takes in order, then the repeatable migrations it runs. */
    public record Entry(Company company, int wave, int position, List<Version> versions, List<String> repeatables,
                        Map<String, String> templateValues) {
    }

    public int waves() {
        return entries.stream().mapToInt(Entry::wave).max().orElse(-1) + 1;
    }

    public int steps() {
        return entries.stream().mapToInt(e -> e.versions().size() + e.repeatables().size()).sum();
    }
}
