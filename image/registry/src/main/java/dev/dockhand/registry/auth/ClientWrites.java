package dev.dockhand.registry.auth;

import java.net.URLDecoder;
import java.util.List;

/**
 * The writes the {@code client} role may make: what a producer's serializer and a build's schema
 * check need (register a schema or a version, check compatibility, look a schema up by its content).
 * Everything else that writes (deletes, compatibility and mode settings, artifact state and
 * metadata, rules, Apicurio's admin API, and any path not listed here) is the {@code admin} role's.
 *
 * <p>A list of what is allowed rather than of what is not, so that a path spelt in a way this list
 * does not know (another API version, a tenant prefix, a trailing slash, matrix parameters, an
 * encoded literal) falls to the admin role, never to a client.
 */
final class ClientWrites {
    /** {@code METHOD /segment/...}: a literal, {@code a|b} for either literal, {@code *} for one path parameter. */
    private static final List<String> ALLOWED = List.of(
            // Confluent-compatible API
            "POST /apis/ccompat/v6|v7/subjects/*/versions",                       // register a schema
            "POST /apis/ccompat/v6|v7/subjects/*",                                // is this schema registered under the subject?
            "POST /apis/ccompat/v6|v7/compatibility/subjects/*/versions",         // check against all versions
            "POST /apis/ccompat/v6|v7/compatibility/subjects/*/versions/*",       // check against one version
            // Apicurio's own API (its serializers, its UI)
            "POST /apis/registry/v2/groups/*/artifacts",                          // create an artifact (or return/update it)
            "POST /apis/registry/v2/groups/*/artifacts/*/versions",               // add a version
            "PUT /apis/registry/v2/groups/*/artifacts/*",                         // update an artifact: a new version
            "PUT /apis/registry/v2/groups/*/artifacts/*/test",                    // check an update against the rules
            "POST /apis/registry/v2/groups/*/artifacts/*/meta",                   // find the version of some content
            "POST /apis/registry/v2/search/artifacts");                           // search by content

    private ClientWrites() {}

    /** Whether the client role may {@code method} on {@code rawPath} (the request's path, still percent-encoded). */
    static boolean allows(String method, String rawPath) {
        String[] path = rawPath.split("/", -1);
        for (String rule : ALLOWED) {
            int space = rule.indexOf(' ');
            if (rule.substring(0, space).equals(method) && matches(rule.substring(space + 1).split("/", -1), path)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String[] template, String[] path) {
        if (template.length != path.length) {
            return false;
        }
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.equals("*") ? !parameter(path[i]) : !List.of(t.split("\\|")).contains(path[i])) {
                return false;
            }
        }
        return true;
    }

    /** A path parameter that addresses one name: not empty, no dot segment, no encoded slash or matrix parameter. */
    private static boolean parameter(String segment) {
        if (segment.isEmpty() || segment.contains(";")) {
            return false;
        }
        String decoded;
        try {
            decoded = URLDecoder.decode(segment.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return !decoded.equals(".") && !decoded.equals("..") && decoded.indexOf('/') < 0 && decoded.indexOf('\\') < 0;
    }
}
