package io.flotilla.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** Parses query and path parameters so that a malformed one is a 400 that names it, not a generic 404. */
final class Params {

    private Params() {
    }

    /**
     * An optional JSON body read as text: none, a blank one, or the JSON {@code null} a generated client sends for
     * "no body" are all {@code null}; malformed JSON or an unknown field is a 400 that says what was expected.
     */
    static <T> T optionalBody(ObjectMapper json, String body, Class<T> type, String expected) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, "Body must be " + expected + ": " + e.getOriginalMessage());
        }
    }

    static int integer(String name, String value, int defaultValue, int min, int max) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                name + " must be an integer between " + min + " and " + max + "; got '" + value + "'");
    }

    /** {@code true} or {@code false} (any case); anything else is a 400 rather than a silent false. */
    static boolean bool(String name, String value, boolean defaultValue) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
            return Boolean.parseBoolean(value);
        }
        throw new FlotillaException(ErrorCode.INVALID_REQUEST, name + " must be true or false; got '" + value + "'");
    }

    static Long optionalLong(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, name + " must be an integer; got '" + value + "'");
        }
    }

    static UUID uuid(String name, String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST, name + " must be a UUID; got '" + value + "'");
        }
    }

    static UUID optionalUuid(String name, String value) {
        return value == null || value.isEmpty() ? null : uuid(name, value);
    }

    /** An ISO-8601 instant with offset ({@code 2026-11-23T10:00:00Z}) or a date (midnight UTC). */
    static OffsetDateTime optionalTime(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay().atOffset(ZoneOffset.UTC)
                    : OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw new FlotillaException(ErrorCode.INVALID_REQUEST,
                    name + " must be an ISO-8601 date or date-time with offset; got '" + value + "'");
        }
    }
}
