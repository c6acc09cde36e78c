package io.flotilla.ledger;

import io.flotilla.catalog.Version;

import java.util.Map;

/**
 * What a company has applied, as its shape says (V7, V10): each version with the checksum it was applied with, and
 * each repeatable migration (by name) with the checksum it was last applied with. Companies of one shape share one.
 */
public record AppliedShape(Map<Version, String> versions, Map<String, String> repeatables) {

    public static final AppliedShape NONE = new AppliedShape(Map.of(), Map.of());
}
