package io.flotilla.adoption;

import io.flotilla.adoption.Refusal.Reason;
import io.flotilla.adoption.ToolEntry.Status;
import io.flotilla.catalog.MigrationCatalog;
import io.flotilla.catalog.Version;
import io.flotilla.testsupport.Catalogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adoption decision without a database: catalog × a tool's history → versions to adopt, or refusals. */
class AdoptionPlannerTest {

    @TempDir
    Path dir;

    private MigrationCatalog flyway() throws IOException {
        return Catalogs.of(dir, Map.of("V1__a.sql", "CREATE TABLE a (id int);\n", "V1_1__b.sql",
                "CREATE TABLE b (id int);\n", "V2__c.sql", "CREATE TABLE c (id int);\n"));
    }

    private static ToolHistory history(HistoryTool tool, ToolEntry... entries) {
        return new ToolHistory(tool, tool.defaultTable(), List.of(entries));
    }

    @Test
    void flywayDottedVersionsMatchTheCatalogsUnderscoredOnesAndAFlywayBaselineCoversWhatIsBelowIt() throws IOException {
        MigrationCatalog catalog = flyway();
        String crc = HistoryTool.FLYWAY.checksumOf(catalog.directory(), catalog.migrations().get(2).up()).orElseThrow();
        AdoptionPlanner.Plan plan = AdoptionPlanner.plan(catalog, history(HistoryTool.FLYWAY,
                new ToolEntry("1.1", null, Status.UP_TO), new ToolEntry("2", crc, Status.APPLIED)), null);
        assertEquals(List.of(), plan.refusals());
        assertEquals(List.of(Version.parse("1"), Version.parse("1.1"), Version.parse("2")), plan.versions());
    }

    @Test
    void everyRefusalIsReportedAtOnceAndNothingIsAdoptedThen() throws IOException {
        AdoptionPlanner.Plan plan = AdoptionPlanner.plan(flyway(), history(HistoryTool.FLYWAY,
                new ToolEntry("1", "123", Status.APPLIED), new ToolEntry("3", null, Status.APPLIED),
                new ToolEntry("2", null, Status.FAILED)), null);
        assertEquals(List.of(Reason.CHECKSUM_MISMATCH, Reason.UNKNOWN_VERSION, Reason.FAILED_STEP),
                plan.refusals().stream().map(Refusal::reason).toList());
    }

    @Test
    void aBaselineMustBeACatalogVersionAndOnlyStandsInForAMissingHistory() throws IOException {
        MigrationCatalog catalog = flyway();
        assertEquals(List.of(Reason.NO_HISTORY), AdoptionPlanner.plan(catalog, null, null).refusals().stream()
                .map(Refusal::reason).toList());
        assertEquals(List.of(Reason.UNKNOWN_VERSION), AdoptionPlanner.plan(catalog, null, Version.parse("7"))
                .refusals().stream().map(Refusal::reason).toList());
        AdoptionPlanner.Plan plan = AdoptionPlanner.plan(catalog, null, Version.parse("1.1"));
        assertTrue(plan.refusals().isEmpty());
        assertEquals(List.of(Version.parse("1"), Version.parse("1.1")), plan.versions());
    }

    @Test
    void golangMigratesLatestMustBeAFileAndADirtyOneIsRefused() throws IOException {
        MigrationCatalog catalog = Catalogs.of(dir, Map.of("1_a.up.sql", "CREATE TABLE a (id int);",
                "2_b.up.sql", "CREATE TABLE b (id int);"));
        assertEquals(List.of(Reason.UNKNOWN_VERSION), AdoptionPlanner.plan(catalog, history(HistoryTool.GOLANG_MIGRATE,
                new ToolEntry("3", null, Status.UP_TO)), null).refusals().stream().map(Refusal::reason).toList());
        assertEquals(List.of(Reason.DIRTY_HISTORY), AdoptionPlanner.plan(catalog, history(HistoryTool.GOLANG_MIGRATE,
                new ToolEntry("2", null, Status.DIRTY)), null).refusals().stream().map(Refusal::reason).toList());
    }
}
