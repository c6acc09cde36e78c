package io.flotilla.tenant;

import com.fasterxml.jackson.annotation.JsonValue;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

import java.util.Arrays;
import java.util.Locale;

/** The statuses {@code public.companies.status} allows; only {@link #ACTIVE} companies are migrated. */
public enum CompanyStatus {
    ACTIVE, INACTIVE, SUSPENDED;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CompanyStatus parse(String text) {
        return Arrays.stream(values()).filter(s -> s.value().equals(text)).findFirst()
                .orElseThrow(() -> new FlotillaException(ErrorCode.INVALID_STATUS,
                        "status must be one of active, inactive, suspended; got '" + text + "'"));
    }

    /** The column holds the lower-case value the table's check constraint allows. */
    @Converter
    public static class Column implements AttributeConverter<CompanyStatus, String> {

        @Override
        public String convertToDatabaseColumn(CompanyStatus status) {
            return status == null ? null : status.value();
        }

        @Override
        public CompanyStatus convertToEntityAttribute(String value) {
            return value == null ? null : parse(value);
        }
    }
}
