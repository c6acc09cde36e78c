package io.flotilla.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The API's one rule for a field without a value: it is left out, never sent as {@code null} (docs/api.md). The
 * contract says the same: {@link ResponseFieldsFilter} lists every other field as required. Only the fields themselves:
 * a map's entries are data ({@code settings} may hold a null), so their inclusion stays Jackson's default.
 */
@Singleton
public class AbsentNulls implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.setDefaultPropertyInclusion(
                JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.USE_DEFAULTS));
    }
}
