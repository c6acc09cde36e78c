package io.flotilla.verification;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/**
 * A company's schema compared with what its applied versions build in a scratch schema.
 *
 * @param appliedVersions versions the ledger says are applied, in version order
 * @param ok              the schema has exactly the expected tables, each as isolated as the migrations make it,
 *                        and every applied version could be built
 * @param expectedTables  tables the applied versions build
 * @param missingTables   expected, but not in the company's schema
 * @param extraTables     in the company's schema, but no applied version builds them
 * @param rlsDisabled     company tables without row-level security, where the migrations enable it (or that no
 *                        migration builds)
 * @param withoutPolicy   company tables without a policy, where the migrations give one (or that no migration builds)
 * @param unverifiable    applied versions whose files the catalog no longer has: not built, so the tables they
 *                        made show as extra
 * @param failure         the applied version the scratch schema could not be built past, or null; then nothing is
 *                        expected and only the company's own tables are judged
 */
public record Verification(UUID companyId, String schemaName, List<String> appliedVersions, boolean ok,
                           List<String> expectedTables, List<String> missingTables, List<String> extraTables,
                           List<String> rlsDisabled, List<String> withoutPolicy, List<String> unverifiable,
                           @Schema(nullable = true) BuildFailure failure) {
}
