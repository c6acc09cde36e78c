package io.flotilla.catalog;

import io.flotilla.config.FlotillaConfig;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * Holds the catalog resolved at start-up: parsed and checksummed once, never re-read per tenant. An invalid
 * directory stops the service from starting, with every problem named.
 */
@Startup
@ApplicationScoped
public class CatalogService {

    private final FlotillaConfig config;
    private volatile MigrationCatalog catalog;

    public CatalogService(FlotillaConfig config) {
        this.config = config;
    }

    @PostConstruct
    void load() {
        catalog = MigrationResolver.resolve(config.catalog().dir(), config.catalog().placeholders()).orThrow();
        Log.infof("Migration catalog %s: %d migrations (%s layout), latest %s%s",
                catalog.directory().toAbsolutePath().normalize(), catalog.migrations().size(),
                catalog.layout().label(), catalog.latest().map(Version::toString).orElse("none"),
                catalog.repeatables().isEmpty() ? "" : ", " + catalog.repeatables().size() + " repeatable");
    }

    public MigrationCatalog catalog() {
        return catalog;
    }

    public List<Migration> migrations() {
        return catalog.migrations();
    }

    public Migration get(String version) {
        Version v = Version.parse(version);
        return catalog.find(v).orElseThrow(() -> new FlotillaException(ErrorCode.MIGRATION_NOT_FOUND,
                "The catalog has no migration with version " + v));
    }
}
