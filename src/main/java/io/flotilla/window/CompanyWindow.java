package io.flotilla.window;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * One row of {@code public.company_windows} (Flyway owns the table): a company's maintenance window, its ranges as
 * text ({@code "mon,tue 01:00-05:00"}, as {@link WeeklyRange#toString} writes them). No row: no window.
 */
@Entity
@Table(name = "company_windows", schema = "public")
public class CompanyWindow {

    @Id
    @Column(name = "company_id")
    private UUID companyId;

    @Column(name = "time_zone", nullable = false)
    private String timeZone;

    // text[]: Hibernate Reactive reads jsonb only as an object, not as an array.
    @Column(nullable = false)
    private String[] ranges;

    @Column(name = "updated_at", nullable = false)
    private OffsetDateTime updatedAt;

    protected CompanyWindow() {
    }

    CompanyWindow(UUID companyId, MaintenanceWindow window) {
        this.companyId = companyId;
        set(window);
    }

    void set(MaintenanceWindow window) {
        this.timeZone = window.zone().getId();
        this.ranges = window.ranges().stream().map(WeeklyRange::toString).toArray(String[]::new);
        this.updatedAt = OffsetDateTime.now();
    }

    public UUID companyId() {
        return companyId;
    }

    public MaintenanceWindow window() {
        return WindowRules.stored(timeZone, Arrays.asList(ranges));
    }

    List<String> ranges() {
        return List.of(ranges);
    }
}
