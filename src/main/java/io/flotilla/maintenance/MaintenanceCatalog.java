package io.flotilla.maintenance;

import io.flotilla.catalog.CatalogProblem;
import io.flotilla.catalog.Directives;
import io.flotilla.catalog.MigrationScript;
import io.flotilla.catalog.TenantBoundary;
import io.flotilla.config.FlotillaConfig;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.quartz.CronExpression;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The maintenance jobs: two built-ins and one per {@code MIGRATIONS_DIR/maintenance/NAME.sql} that declares
 * {@code -- flotilla:cron <expression>} in its leading comments. Read once at start-up; a bad file or cron
 * expression stops the service with every problem named, like the migration catalog.
 */
@Startup
@ApplicationScoped
public class MaintenanceCatalog {

    public static final String REFRESH = "refresh-materialized-views";
    public static final String VACUUM = "vacuum-analyze";

    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");

    private final FlotillaConfig config;
    private volatile Map<String, MaintenanceJobDefinition> jobs;

    public MaintenanceCatalog(FlotillaConfig config) {
        this.config = config;
    }

    @PostConstruct
    void load() {
        List<String> problems = new ArrayList<>();
        Map<String, MaintenanceJobDefinition> found = new LinkedHashMap<>();
        found.put(REFRESH, define(REFRESH, JobKind.REFRESH_MATERIALIZED_VIEWS, "0 0 2 * * ?",
                "Refresh every materialized view (concurrently when it has a unique index and data), daily", null, null, problems));
        found.put(VACUUM, define(VACUUM, JobKind.VACUUM_ANALYZE, "0 0 3 ? * SUN",
                "VACUUM (ANALYZE) every table, outside any transaction, weekly", null, null, problems));
        Path dir = config.catalog().dir().resolve("maintenance");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(p -> p.getFileName().toString().endsWith(".sql")).sorted().toList()) {
                    custom(file, problems).ifPresent(job -> {
                        if (found.containsKey(job.name())) {
                            problems.add(file.getFileName() + " reuses the built-in job name " + job.name());
                        } else {
                            found.put(job.name(), job);
                        }
                    });
                }
            } catch (IOException e) {
                problems.add("cannot list " + dir + ": " + e.getMessage());
            }
        }
        config.maintenance().keySet().stream().filter(name -> !found.containsKey(name)).forEach(name ->
                problems.add("flotilla.maintenance.\"" + name + "\" configures a job that does not exist"));
        if (!problems.isEmpty()) {
            throw new FlotillaException(ErrorCode.CATALOG_INVALID, "Maintenance jobs are invalid: " + String.join("; ", problems),
                    Map.of("problems", problems));
        }
        jobs = Map.copyOf(found);
        Log.infof("Maintenance jobs: %s", found.values().stream()
                .map(j -> j.name() + (j.enabled() ? " (" + j.cron() + ")" : " (disabled)")).toList());
    }

    private Optional<MaintenanceJobDefinition> custom(Path file, List<String> problems) {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - ".sql".length());
        if (!NAME.matcher(name).matches()) {
            problems.add(fileName + ": a job name is lower-case letters, digits, - and _");
            return Optional.empty();
        }
        String sql;
        try {
            sql = Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            problems.add(fileName + " cannot be read: " + e.getMessage());
            return Optional.empty();
        }
        Directives.Header header = Directives.leading(sql);
        // The last cron line wins; the first plain comment line describes the job.
        String cron = header.directives().stream().filter(d -> d.name().equalsIgnoreCase("cron") && !d.argument().isEmpty())
                .map(Directives.Directive::argument).reduce((first, last) -> last).orElse(null);
        String description = header.comments().stream().filter(c -> !c.toLowerCase().contains("flotilla:"))
                .findFirst().orElse(null);
        if (cron == null) {
            problems.add(fileName + " has no '-- flotilla:cron <expression>' line");
            return Optional.empty();
        }
        // A job runs in every tenant's schema, as a migration does: the same statements are none of its business.
        List<CatalogProblem> outside = new ArrayList<>();
        TenantBoundary.check(fileName, sql, outside);
        if (!outside.isEmpty()) {
            outside.forEach(p -> problems.add(p.message()));
            return Optional.empty();
        }
        return Optional.of(define(name, JobKind.CUSTOM_SQL, cron, description, fileName,
                MigrationScript.unchecked(fileName, sql), problems));
    }

    private MaintenanceJobDefinition define(String name, JobKind kind, String defaultCron, String description, String file,
                                            MigrationScript script, List<String> problems) {
        var settings = config.maintenance().get(name);
        String cron = settings != null && settings.cron().isPresent() ? settings.cron().get() : defaultCron;
        if (!CronExpression.isValidExpression(cron)) {
            problems.add(name + ": '" + cron + "' is not a Quartz cron expression (seconds minutes hours day-of-month"
                    + " month day-of-week, e.g. 0 0 3 1 * ?)");
        }
        return new MaintenanceJobDefinition(name, kind, cron, settings == null || settings.enabled(), description, file, script);
    }

    public List<MaintenanceJobDefinition> jobs() {
        return List.copyOf(jobs.values());
    }

    public MaintenanceJobDefinition get(String name) {
        MaintenanceJobDefinition job = jobs.get(name);
        if (job == null) {
            throw new FlotillaException(ErrorCode.JOB_NOT_FOUND, "No maintenance job '" + name + "'; known: "
                    + String.join(", ", jobs.keySet()));
        }
        return job;
    }
}
