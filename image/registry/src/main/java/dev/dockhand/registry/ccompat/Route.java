package dev.dockhand.registry.ccompat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request to the Confluent-compatible API ({@code /apis/ccompat/v6|v7/...}), named by what the
 * compatibility layer treats differently from Apicurio: the path's kind and its subject, version
 * and schema id.
 *
 * @param kind what the path addresses
 * @param subject the subject named in the path, or null
 * @param version the version named in the path ({@code latest} or a number), or null
 * @param id the schema id named in the path, or null
 */
record Route(Kind kind, String subject, String version, String id) {

    enum Kind {
        /** {@code /config} */
        GLOBAL_CONFIG,
        /** {@code /config/{subject}} */
        SUBJECT_CONFIG,
        /** {@code /mode} and {@code /mode/{subject}} */
        MODE,
        /** {@code /compatibility/subjects/{subject}/versions[/{version}]} */
        COMPATIBILITY,
        /** {@code /subjects/{subject}/versions} (a POST registers a schema) */
        SUBJECT_VERSIONS,
        /** any other path under the API */
        OTHER
    }

    private static final Pattern API = Pattern.compile("^/apis/ccompat/v\\d+(/.*)?$");

    /** The route of {@code path} (the request URI's path, still percent-encoded), or null outside the API. */
    static Route of(String path) {
        Matcher api = API.matcher(path);
        if (!api.matches()) {
            return null;
        }
        String rest = api.group(1) == null ? "" : api.group(1);
        String[] p = rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1);
        if (p.length == 1 && p[0].equals("config")) {
            return new Route(Kind.GLOBAL_CONFIG, null, null, null);
        }
        if (p.length == 2 && p[0].equals("config")) {
            return new Route(Kind.SUBJECT_CONFIG, decode(p[1]), null, null);
        }
        if (p.length >= 1 && p.length <= 2 && p[0].equals("mode")) {
            return new Route(Kind.MODE, p.length == 2 ? decode(p[1]) : null, null, null);
        }
        if (p.length >= 4 && p[0].equals("compatibility") && p[1].equals("subjects") && p[3].equals("versions")) {
            return new Route(Kind.COMPATIBILITY, decode(p[2]), p.length >= 5 ? decode(p[4]) : null, null);
        }
        if (p.length >= 2 && p[0].equals("subjects")) {
            String version = p.length >= 4 && p[2].equals("versions") ? decode(p[3]) : null;
            Kind kind = p.length == 3 && p[2].equals("versions") ? Kind.SUBJECT_VERSIONS : Kind.OTHER;
            return new Route(kind, decode(p[1]), version, null);
        }
        if (p.length >= 3 && p[0].equals("schemas") && p[1].equals("ids")) {
            return new Route(Kind.OTHER, null, null, decode(p[2]));
        }
        return new Route(Kind.OTHER, null, null, null);
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
