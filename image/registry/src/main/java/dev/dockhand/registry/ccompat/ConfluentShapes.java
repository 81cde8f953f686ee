package dev.dockhand.registry.ccompat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * The bodies Confluent Schema Registry answers where Apicurio 2.4's Confluent-compatible API answers
 * otherwise. Pure: Apicurio's body in, Confluent's out; {@link CompatibilityFilters} decides when.
 */
final class ConfluentShapes {
    /** The compatibility levels Confluent accepts, as it spells them in errors. */
    static final List<String> LEVELS = List.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE",
            "FULL", "FULL_TRANSITIVE");
    static final String READWRITE = "READWRITE";

    static final int SUBJECT_NOT_FOUND = 40401;
    static final int VERSION_NOT_FOUND = 40402;
    static final int SCHEMA_NOT_FOUND = 40403;
    static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;
    static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    static final int INVALID_MODE = 42204;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ConfluentShapes() {}

    /** {@code {"compatibilityLevel": level}}: the answer of {@code GET /config} and {@code GET /config/{subject}}. */
    static ObjectNode level(String level) {
        return JSON.objectNode().put("compatibilityLevel", level);
    }

    /** {@code {"compatibility": level}}: the answer of {@code PUT /config}. */
    static ObjectNode requested(String level) {
        return JSON.objectNode().put("compatibility", level);
    }

    static ObjectNode mode() {
        return JSON.objectNode().put("mode", READWRITE);
    }

    static ObjectNode error(int errorCode, String message) {
        return JSON.objectNode().put("error_code", errorCode).put("message", message);
    }

    /** The level in a {@code PUT /config} body, upper-cased, or null when it is not one Confluent knows. */
    static String requestedLevel(JsonNode body) {
        JsonNode c = body == null ? null : body.get("compatibility");
        if (c == null || !c.isTextual()) {
            return null;
        }
        String level = c.asText().toUpperCase(Locale.ROOT);
        return LEVELS.contains(level) ? level : null;
    }

    static ObjectNode invalidLevel() {
        return error(INVALID_COMPATIBILITY_LEVEL, "Invalid compatibility level. Valid values are none, backward, forward, full, "
                + "backward_transitive, forward_transitive, and full_transitive");
    }

    static ObjectNode invalidMode(String requested) {
        return error(INVALID_MODE, "Invalid mode " + requested + ": this registry runs in READWRITE mode only");
    }

    static ObjectNode subjectLevelNotConfigured(String subject) {
        return error(SUBJECT_LEVEL_NOT_CONFIGURED, "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    /**
     * A compatibility check's answer: {@code is_compatible}, and with {@code ?verbose=true} the reasons
     * as {@code messages} (Apicurio has one {@code reason}, and no verbose mode).
     */
    static ObjectNode compatibilityCheck(JsonNode apicurio, boolean verbose) {
        ObjectNode out = JSON.objectNode();
        out.put("is_compatible", apicurio.path("is_compatible").asBoolean());
        if (verbose) {
            var messages = out.putArray("messages");
            JsonNode reason = apicurio.get("reason");
            if (reason != null && reason.isTextual()) {
                messages.add(reason.asText());
            }
        }
        return out;
    }

    /**
     * An error of the API as Confluent words it: the error code Confluent uses (Apicurio's 0 becomes
     * the HTTP status, a rejected schema 409) and Confluent's message for what it names ("Subject 'x'
     * not found." rather than "No artifact with ID 'x' in group 'null' was found.").
     */
    static ObjectNode error(int status, JsonNode apicurio, Route route, String method) {
        int code = apicurio.path("error_code").asInt(0);
        String message = apicurio.path("message").asText("");
        if (code == 0) {
            code = status;
        }
        if (status == 409 && route.kind() == Route.Kind.SUBJECT_VERSIONS && method.equals("POST")) {
            code = 409;
            message = "Schema being registered is incompatible with an earlier schema for subject \"" + route.subject()
                    + "\", details: [" + message + "]";
        } else if (code == SUBJECT_NOT_FOUND && route.subject() != null) {
            message = "Subject '" + route.subject() + "' not found.";
        } else if (code == VERSION_NOT_FOUND && route.version() != null) {
            message = "Version " + route.version() + " not found.";
        } else if (code == SCHEMA_NOT_FOUND && route.id() != null) {
            message = "Schema " + route.id() + " not found";
        } else if (status == 404 && message.startsWith("RESTEASY003210")) {
            message = "HTTP 404 Not Found";
        }
        return error(code, message);
    }
}
