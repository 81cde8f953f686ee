package dev.dockhand.registry.ccompat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.apicurio.registry.ccompat.store.RegistryStorageFacade;
import io.apicurio.registry.rules.RulesProperties;
import io.apicurio.registry.storage.ArtifactNotFoundException;
import io.apicurio.registry.storage.RuleNotFoundException;
import io.apicurio.registry.storage.dto.RuleConfigurationDto;
import io.apicurio.registry.types.RuleType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import javax.inject.Inject;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.ContainerResponseContext;
import javax.ws.rs.container.ContainerResponseFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Makes Apicurio 2.4's Confluent-compatible API answer as Confluent Schema Registry does where the
 * clients written for Confluent's notice (docs/adr/006-registry-compatibility.md):
 * <ul>
 *   <li>{@code GET /config} reports the compatibility level in force: the stored global rule, else
 *       the default of {@code registry.rules.global.compatibility}, else NONE (Apicurio: NONE
 *       whenever no rule is stored, whatever it enforces);
 *   <li>{@code PUT /config[/{subject}]} with NONE stores NONE, so that it wins over the default and
 *       a subject can opt out of the global level (Apicurio deletes the rule, and the default or the
 *       global level applies again); {@code DELETE /config/{subject}} removes it again; an unknown
 *       level is 422 with error code 42203 (Apicurio: 500);
 *   <li>{@code GET /config/{subject}} without a subject level is 40408, or the global level in force
 *       with {@code ?defaultToGlobal=true} (Apicurio: NONE);
 *   <li>{@code GET /mode} is {@code {"mode":"READWRITE"}}, the only mode this registry has
 *       (Apicurio: 404);
 *   <li>compatibility checks answer {@code messages} with {@code ?verbose=true} (Apicurio: {@code reason});
 *   <li>errors carry Confluent's codes and messages (a rejected schema: 409 and error code 409,
 *       Apicurio: 0; "Subject 'x' not found." for "No artifact with ID 'x' in group 'null' ...", and
 *       40401 where Apicurio says 40402 "no version 'latest'" of a subject that does not exist).
 * </ul>
 * Everything else passes through untouched; only paths under {@code /apis/ccompat/} are looked at.
 * {@code dockhand.registry.confluent-answers=false} turns the layer off (Apicurio's own answers;
 * the benchmark's peer, it/bench/registry-compat-bench.sh).
 */
@Provider
@PreMatching
public class CompatibilityFilters implements ContainerRequestFilter, ContainerResponseFilter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROUTE = CompatibilityFilters.class.getName() + ".route";
    private static final String REQUESTED_LEVEL = CompatibilityFilters.class.getName() + ".level";
    private static final RuleConfigurationDto NONE = new RuleConfigurationDto("NONE");

    @Inject
    RegistryStorageFacade rules;

    @Inject
    RulesProperties defaults;

    @ConfigProperty(name = "dockhand.registry.confluent-answers", defaultValue = "true")
    boolean enabled;

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        Route route = enabled ? Route.of(request.getUriInfo().getRequestUri().getRawPath()) : null;
        if (route == null) {
            return;
        }
        request.setProperty(ROUTE, route);
        String method = request.getMethod();
        if (route.kind() == Route.Kind.MODE && method.equals("GET")) {
            request.abortWith(json(200, ConfluentShapes.mode()));
        } else if (route.kind() == Route.Kind.MODE && method.equals("PUT")) {
            JsonNode body = body(request);
            String mode = body == null ? "" : body.path("mode").asText("");
            request.abortWith(ConfluentShapes.READWRITE.equals(mode) ? json(200, ConfluentShapes.mode())
                    : json(422, ConfluentShapes.invalidMode(mode)));
        } else if ((route.kind() == Route.Kind.GLOBAL_CONFIG || route.kind() == Route.Kind.SUBJECT_CONFIG) && method.equals("PUT")) {
            String level = ConfluentShapes.requestedLevel(body(request));
            if (level == null) {
                request.abortWith(json(422, ConfluentShapes.invalidLevel()));
            } else {
                request.setProperty(REQUESTED_LEVEL, level);
            }
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(request.getProperty(ROUTE) instanceof Route route)) {
            return;
        }
        String method = request.getMethod();
        int status = response.getStatus();
        boolean toGlobal = "true".equalsIgnoreCase(request.getUriInfo().getQueryParameters().getFirst("defaultToGlobal"));
        if (route.kind() == Route.Kind.SUBJECT_CONFIG && method.equals("GET") && status < 500) {
            // Apicurio answers NONE for a subject without a level of its own, and 40401 for an unknown one
            Optional<String> own = subjectLevel(route.subject());
            if (own.isPresent()) {
                replace(response, 200, ConfluentShapes.level(own.get()));
            } else if (toGlobal) {
                replace(response, 200, ConfluentShapes.level(globalLevel()));
            } else {
                replace(response, 404, ConfluentShapes.subjectLevelNotConfigured(route.subject()));
            }
            return;
        }
        if (route.kind() == Route.Kind.GLOBAL_CONFIG && method.equals("PUT") && status == 404
                && "NONE".equals(request.getProperty(REQUESTED_LEVEL))) {
            // Apicurio deletes the global rule for NONE, and fails when there is none to delete
            rules.createOrUpdateGlobalRule(RuleType.COMPATIBILITY, NONE);
            replace(response, 200, ConfluentShapes.requested("NONE"));
            return;
        }
        if (status >= 400) {
            JsonNode body = tree(response.getEntity());
            if (body != null && body.isObject() && (body.has("error_code") || body.has("message"))) {
                if (body.path("error_code").asInt() == ConfluentShapes.VERSION_NOT_FOUND && route.subject() != null
                        && !subjectExists(route.subject())) {
                    // Apicurio answers "no version 'latest'" for a subject that is not there at all
                    ((ObjectNode) body).put("error_code", ConfluentShapes.SUBJECT_NOT_FOUND);
                }
                replace(response, status, ConfluentShapes.error(status, body, route, method));
            }
            return;
        }
        switch (route.kind()) {
            case GLOBAL_CONFIG -> {
                if (method.equals("GET")) {
                    replace(response, status, ConfluentShapes.level(globalLevel()));
                } else if (method.equals("PUT") && "NONE".equals(request.getProperty(REQUESTED_LEVEL))) {
                    rules.createOrUpdateGlobalRule(RuleType.COMPATIBILITY, NONE);
                }
            }
            case SUBJECT_CONFIG -> {
                if (method.equals("PUT") && "NONE".equals(request.getProperty(REQUESTED_LEVEL))) {
                    rules.createOrUpdateArtifactRule(route.subject(), RuleType.COMPATIBILITY, NONE);
                } else if (method.equals("DELETE") && subjectLevel(route.subject()).filter("NONE"::equals).isPresent()) {
                    rules.deleteArtifactRule(route.subject(), RuleType.COMPATIBILITY);
                }
            }
            case COMPATIBILITY -> {
                JsonNode body = tree(response.getEntity());
                if (body != null && body.has("is_compatible")) {
                    boolean verbose = "true".equalsIgnoreCase(request.getUriInfo().getQueryParameters().getFirst("verbose"));
                    replace(response, status, ConfluentShapes.compatibilityCheck(body, verbose));
                }
            }
            default -> { }
        }
    }

    /** The level in force for subjects without their own: the stored global rule, else the configured default, else NONE. */
    private String globalLevel() {
        try {
            return rules.getGlobalRule(RuleType.COMPATIBILITY).getConfiguration();
        } catch (RuleNotFoundException e) {
            RuleConfigurationDto d = defaults.getDefaultGlobalRuleConfiguration(RuleType.COMPATIBILITY);
            return d == null ? "NONE" : d.getConfiguration();
        }
    }

    private boolean subjectExists(String subject) {
        try {
            rules.getVersions(subject);
            return true;
        } catch (ArtifactNotFoundException e) {
            return false;
        }
    }

    /** The subject's own level, empty when it has none or does not exist. */
    private Optional<String> subjectLevel(String subject) {
        try {
            return Optional.of(rules.getArtifactRule(subject, RuleType.COMPATIBILITY).getConfiguration());
        } catch (RuleNotFoundException | ArtifactNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The request's JSON body (read, then put back for the resource), or null when it is not JSON. */
    private static JsonNode body(ContainerRequestContext request) throws IOException {
        byte[] bytes = request.getEntityStream().readAllBytes();
        request.setEntityStream(new ByteArrayInputStream(bytes));
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode tree(Object entity) {
        if (entity == null || entity instanceof String || entity instanceof byte[]) {
            return null;
        }
        try {
            return JSON.valueToTree(entity);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void replace(ContainerResponseContext response, int status, JsonNode body) {
        response.setStatus(status);
        response.setEntity(body, null, MediaType.valueOf("application/vnd.schemaregistry.v1+json"));
    }

    private static Response json(int status, JsonNode body) {
        return Response.status(status).type("application/vnd.schemaregistry.v1+json").entity(body).build();
    }
}
