package dev.dockhand.registry.ccompat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Apicurio 2.4.2's bodies, as measured, in; Confluent's out. */
class ConfluentShapesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void compatibilityChecksAnswerMessagesOnlyWhenVerbose() throws Exception {
        JsonNode no = json("{\"is_compatible\":false,\"reason\":\"Incompatible artifact: s [AVRO] ...\"}");
        assertEquals(json("{\"is_compatible\":false,\"messages\":[\"Incompatible artifact: s [AVRO] ...\"]}"),
                ConfluentShapes.compatibilityCheck(no, true));
        assertEquals(json("{\"is_compatible\":false}"), ConfluentShapes.compatibilityCheck(no, false));
        assertEquals(json("{\"is_compatible\":true,\"messages\":[]}"),
                ConfluentShapes.compatibilityCheck(json("{\"is_compatible\":true,\"reason\":null}"), true));
    }

    @Test
    void aRejectedSchemaIsErrorCode409WithConfluentsMessage() throws Exception {
        JsonNode apicurio = json("{\"message\":\"Incompatible artifact: s [AVRO], num of incompatible diffs: {1}\",\"error_code\":0}");
        JsonNode out = ConfluentShapes.error(409, apicurio, Route.of("/apis/ccompat/v7/subjects/s/versions"), "POST");
        assertEquals(409, out.get("error_code").asInt());
        assertEquals("Schema being registered is incompatible with an earlier schema for subject \"s\", details: "
                + "[Incompatible artifact: s [AVRO], num of incompatible diffs: {1}]", out.get("message").asText());
    }

    @Test
    void notFoundMessagesNameWhatThePathNames() throws Exception {
        assertEquals(json("{\"error_code\":40401,\"message\":\"Subject 'nope' not found.\"}"), ConfluentShapes.error(404,
                json("{\"message\":\"No artifact with ID 'nope' in group 'null' was found.\",\"error_code\":40401}"),
                Route.of("/apis/ccompat/v7/subjects/nope/versions"), "GET"));
        assertEquals(json("{\"error_code\":40402,\"message\":\"Version 9 not found.\"}"), ConfluentShapes.error(404,
                json("{\"message\":\"No version '9' found for artifact with ID 's' in group 'null'.\",\"error_code\":40402}"),
                Route.of("/apis/ccompat/v7/subjects/s/versions/9"), "GET"));
        assertEquals(json("{\"error_code\":40403,\"message\":\"Schema 999 not found\"}"), ConfluentShapes.error(404,
                json("{\"message\":\"No content with id/hash 'contentId-999' was found.\",\"error_code\":40403}"),
                Route.of("/apis/ccompat/v7/schemas/ids/999"), "GET"));
        assertEquals(json("{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}"), ConfluentShapes.error(404,
                json("{\"message\":\"RESTEASY003210: Could not find resource for full path: http://x/apis/ccompat/v7/\",\"error_code\":0}"),
                Route.of("/apis/ccompat/v7/"), "GET"));
    }

    @Test
    void otherErrorsKeepTheirMessageAndGetTheStatusForAZeroCode() throws Exception {
        assertEquals(json("{\"error_code\":42201,\"message\":\"Failed to discover artifact type from content.\"}"),
                ConfluentShapes.error(422, json("{\"message\":\"Failed to discover artifact type from content.\",\"error_code\":42201}"),
                        Route.of("/apis/ccompat/v7/subjects/s/versions"), "POST"));
        assertEquals(json("{\"error_code\":500,\"message\":\"boom\"}"),
                ConfluentShapes.error(500, json("{\"message\":\"boom\",\"error_code\":0}"), Route.of("/apis/ccompat/v7/subjects"), "GET"));
    }

    @Test
    void requestedLevelsAreConfluentsInAnyCase() throws Exception {
        assertEquals("BACKWARD", ConfluentShapes.requestedLevel(json("{\"compatibility\":\"backward\"}")));
        assertEquals("FULL_TRANSITIVE", ConfluentShapes.requestedLevel(json("{\"compatibility\":\"FULL_TRANSITIVE\"}")));
        assertNull(ConfluentShapes.requestedLevel(json("{\"compatibility\":\"BOGUS\"}")));
        assertNull(ConfluentShapes.requestedLevel(json("{\"compatibilityLevel\":\"NONE\"}")));
        assertNull(ConfluentShapes.requestedLevel(json("[]")));
        assertNull(ConfluentShapes.requestedLevel(null));
    }
}
