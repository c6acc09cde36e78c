package io.flotilla.api;

import io.flotilla.catalog.Layout;
import io.flotilla.maintenance.JobKind;
import io.flotilla.maintenance.MaintenanceJobView;
import io.flotilla.maintenance.MaintenanceRepository;
import io.flotilla.maintenance.MaintenanceRun;
import io.flotilla.notify.EventType;
import io.flotilla.notify.WebhookDelivery;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The contract's enums written as {@code @Schema(enumeration = …)} on String fields list what the Java enum behind
 * them sends, so a new layout, job kind or step outcome cannot reach clients undeclared.
 */
class ContractEnumsTest {

    @Test
    void layoutsAreTheCatalogLayouts() {
        assertEquals(Arrays.stream(Layout.values()).map(MigrationView::id).toList(),
                enumeration(MigrationView.class, "layout"));
    }

    @Test
    void jobKindsAreTheJobKinds() {
        assertEquals(words(JobKind.values()).stream().map(k -> k.replace('_', '-')).toList(),
                enumeration(MaintenanceJobView.class, "kind"));
    }

    @Test
    void stepOutcomesAreTheMaintenanceStepStatuses() {
        assertEquals(words(MaintenanceRepository.StepStatus.values()), enumeration(MaintenanceRun.Step.class, "status"));
    }

    @Test
    void webhookEventsAreTheEventTypes() {
        assertEquals(Arrays.stream(EventType.values()).map(EventType::value).toList(),
                List.of(WebhookEvent.class.getAnnotation(Schema.class).enumeration()));
    }

    @Test
    void deliveryStatusesAreTheDeliveryStatuses() {
        assertEquals(Arrays.stream(WebhookDelivery.Status.values()).map(WebhookDelivery.Status::value).toList(),
                enumeration(WebhookDeliveryView.class, "status"));
    }

    @Test
    void windowDaysAreTheWeekdays() {
        assertEquals(Arrays.stream(io.flotilla.window.Weekday.values()).map(io.flotilla.window.Weekday::value).toList(),
                List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun"));
        assertEquals(Arrays.stream(io.flotilla.window.Weekday.values()).map(io.flotilla.window.Weekday::value).toList(),
                contractDays());
    }

    /** The contract's WindowRange.days items, as the generated openapi.yaml declares them. */
    private static List<String> contractDays() {
        try {
            var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readTree(OpenApiContractTest.CONTRACT.toFile());
            List<String> days = new java.util.ArrayList<>();
            yaml.path("components").path("schemas").path("WindowRange").path("properties").path("days").path("items")
                    .path("enum").forEach(d -> days.add(d.asText()));
            return days;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void adoptionOutcomesAndToolsAreTheirEnums() {
        assertEquals(Arrays.stream(io.flotilla.adoption.FleetAdoptionService.Outcome.values())
                .map(io.flotilla.adoption.FleetAdoptionService.Outcome::value).toList(),
                enumeration(AdoptionResultView.class, "outcome"));
        assertEquals(Arrays.stream(io.flotilla.adoption.HistoryTool.values())
                .map(io.flotilla.adoption.HistoryTool::value).toList(),
                enumeration(DiscoveredSchemaView.class, "tool"));
    }

    private static List<String> words(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
    }

    /** From the component's field: {@code @Schema} does not target record components, javac puts it there. */
    private static List<String> enumeration(Class<? extends Record> type, String component) {
        try {
            return List.of(type.getDeclaredField(component).getAnnotation(Schema.class).enumeration());
        } catch (NoSuchFieldException e) {
            throw new AssertionError(type.getSimpleName() + " has no " + component, e);
        }
    }
}
