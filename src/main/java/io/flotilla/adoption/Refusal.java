package io.flotilla.adoption;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * Why a schema is not adopted as it stands, as data (the service throws them once, together).
 *
 * @param version the version concerned, or null when the reason is the whole schema's
 */
public record Refusal(Reason reason, String version, String detail) {

    public enum Reason {
        /** golang-migrate's dirty flag. */
        DIRTY_HISTORY,
        /** A failed, unfinished or rolled-back step in the history. */
        FAILED_STEP,
        /** A version the history has and the catalog does not. */
        UNKNOWN_VERSION,
        /** The tool's checksum of a version differs from the catalog file's. */
        CHECKSUM_MISMATCH,
        /** No history table, and no baselineVersion. */
        NO_HISTORY,
        /** The schema is not what its versions build (see the verification). */
        SHAPE_DIFFERS;

        @JsonValue
        public String value() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
