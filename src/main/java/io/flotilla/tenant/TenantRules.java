package io.flotilla.tenant;

import java.util.Map;

/**
 * The old name of {@link CompanyRules}, kept only for the two callers in {@code execution/} while that package is
 * being moved on another branch; switch them to CompanyRules when the two meet, then delete this class.
 */
@Deprecated(forRemoval = true)
public final class TenantRules {

    private TenantRules() {
    }

    public static String schemaName(String name) {
        return CompanyRules.schemaName(name);
    }

    public static String companyName(String name) {
        return CompanyRules.companyName(name);
    }

    public static Map<String, Object> settings(Map<String, Object> settings) {
        return CompanyRules.settings(settings);
    }

    public static String settingText(Object value) {
        return CompanyRules.settingText(value);
    }
}
