package io.flotilla.migration;

import io.flotilla.catalog.Direction;
import io.flotilla.catalog.Version;

/**
 * Where a run takes a schema: up to {@code version} (null: the catalog's latest), or down until only versions at
 * or below {@code version} remain applied.
 */
public record Target(Direction direction, Version version) {

    public static Target latest() {
        return new Target(Direction.UP, null);
    }

    /** Whether a version is within reach of an up run, or to be undone by a down run. */
    boolean covers(Version v) {
        return direction == Direction.UP ? version == null || v.compareTo(version) <= 0 : v.compareTo(version) > 0;
    }
}
