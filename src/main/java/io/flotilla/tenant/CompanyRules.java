package io.flotilla.tenant;

import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.flotilla.migration.TemplateValues;
import io.flotilla.sql.SchemaNames;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a company's fields may hold. Schema names reach DDL and settings values are substituted into migration
 * SQL, so both are held to a strict shape here, before anything touches the database (a settings value by
 * {@link TemplateValues#whyUnsafe}, the rule the migrator applies again before substituting it).
 */
public final class CompanyRules {

    private static final Pattern SCHEMA = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");
    private static final Pattern SETTING_KEY = Pattern.compile("^[A-Za-z_][A-Za-z0-9_.-]{0,62}$");

    private CompanyRules() {
    }

    public static String schemaName(String name) {
        if (name == null || name.isEmpty()) {
            throw new FlotillaException(ErrorCode.INVALID_SCHEMA_NAME, "schemaName is required");
        }
        if (!SCHEMA.matcher(name).matches()) {
            throw new FlotillaException(ErrorCode.INVALID_SCHEMA_NAME, "schemaName '" + printable(name)
                    + "' must be a lower-case PostgreSQL identifier: a-z or _ first, then a-z, 0-9 or _, at most 63 characters");
        }
        if (name.equals("public") || name.equals("information_schema") || name.startsWith("pg_")) {
            throw new FlotillaException(ErrorCode.INVALID_SCHEMA_NAME,
                    "schemaName '" + name + "' is reserved by PostgreSQL");
        }
        // Scratch schemas are dropped when their work ends; a company's schema must never be mistaken for one.
        if (name.startsWith(SchemaNames.SCRATCH_PREFIX)) {
            throw new FlotillaException(ErrorCode.INVALID_SCHEMA_NAME, "schemaName '" + name
                    + "' is reserved: Flotilla's scratch schemas start with " + SchemaNames.SCRATCH_PREFIX);
        }
        return name;
    }

    public static String companyName(String name) {
        if (name == null || name.isBlank()) {
            throw new FlotillaException(ErrorCode.INVALID_COMPANY_NAME, "companyName is required");
        }
        String trimmed = name.strip();
        if (trimmed.length() > 255) {
            throw new FlotillaException(ErrorCode.INVALID_COMPANY_NAME, "companyName is longer than 255 characters");
        }
        if (trimmed.chars().anyMatch(Character::isISOControl)) {
            throw new FlotillaException(ErrorCode.INVALID_COMPANY_NAME, "companyName contains control characters");
        }
        return trimmed;
    }

    /** Settings are template values: a flat object of numbers, booleans and plain tokens. */
    public static Map<String, Object> settings(Map<String, Object> settings) {
        if (settings == null) {
            return Map.of();
        }
        Map<String, Object> checked = new LinkedHashMap<>();
        settings.forEach((key, value) -> {
            if (!SETTING_KEY.matcher(key).matches() || key.equals("schema")) {
                throw new FlotillaException(ErrorCode.INVALID_SETTINGS, "settings key '" + printable(key)
                        + "' is not a placeholder name (letters, digits, _ . -; 'schema' is reserved)");
            }
            // The text a value becomes in SQL, checked by the same rule the migrator applies before substituting it.
            boolean scalar = (value instanceof Number && !(value instanceof Double d && !Double.isFinite(d)))
                    || value instanceof Boolean || value instanceof String;
            String text = scalar ? TemplateValues.settingText(value) : null;
            TemplateValues.whyUnsafe(text).ifPresent(why -> {
                throw new FlotillaException(ErrorCode.INVALID_SETTINGS, "settings." + key + " " + why
                        + "; nothing was changed", Map.of("setting", key));
            });
            checked.put(key, value);
        });
        return checked;
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
