package io.flotilla.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.error.ErrorCode;
import io.flotilla.error.FlotillaException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optional request bodies: what a bare POST, curl and a generated client send must all mean "no body". */
class ParamsTest {

    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Test
    void noBodyBlankOrJsonNullAreNoBody() {
        assertNull(Params.optionalBody(json, null, MaintenanceResource.RunRequest.class, "x"));
        assertNull(Params.optionalBody(json, " \n", MaintenanceResource.RunRequest.class, "x"));
        assertNull(Params.optionalBody(json, "null", MaintenanceResource.RunRequest.class, "x"));
    }

    @Test
    void aBodyIsReadAndABadOneIsA400ThatSaysWhatWasExpected() {
        UUID id = UUID.randomUUID();
        assertEquals(List.of(id), Params.optionalBody(json, "{\"companyIds\": [\"" + id + "\"]}",
                MaintenanceResource.RunRequest.class, "x").companyIds());
        FlotillaException e = assertThrows(FlotillaException.class, () -> Params.optionalBody(json,
                "{\"companies\": 3}", MaintenanceResource.RunRequest.class, "{\"companyIds\": [uuid, ...]}"));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertTrue(e.getMessage().startsWith("Body must be {\"companyIds\": [uuid, ...]}"), e.getMessage());
    }
}
