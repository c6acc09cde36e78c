package io.flotilla.sql;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Schema names Flotilla treats specially: PostgreSQL's own, and its scratch schemas (made and dropped by the lint
 * and verification). Here, next to the executor, so the one {@code DROP SCHEMA} path and the tenant rules read the
 * same list.
 */
public final class SchemaNames {

    /** Every scratch schema's name starts so; no tenant may have such a name. */
    public static final String SCRATCH_PREFIX = "flotilla_scratch_";
    private static final Pattern SCRATCH = Pattern.compile("^flotilla_scratch_[0-9a-f]{16}$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SchemaNames() {
    }

    /** A fresh scratch schema name. */
    public static String newScratch() {
        return SCRATCH_PREFIX + HexFormat.of().toHexDigits(RANDOM.nextLong());
    }

    /** Whether a schema name is one {@link #newScratch()} makes (and so may be dropped as scratch). */
    public static boolean isScratch(String schema) {
        return schema != null && SCRATCH.matcher(schema).matches();
    }

    /** PostgreSQL's own schemas. */
    public static boolean isSystem(String schema) {
        return schema.equals("public") || schema.equals("information_schema") || schema.startsWith("pg_");
    }

    /** Names no tenant may have: PostgreSQL's own, and anything that looks like a scratch schema. */
    public static boolean isReserved(String schema) {
        return schema == null || schema.isEmpty() || isSystem(schema) || schema.startsWith(SCRATCH_PREFIX);
    }
}
