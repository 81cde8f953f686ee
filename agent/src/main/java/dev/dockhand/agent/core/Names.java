package dev.dockhand.agent.core;

/**
 * The grammar of a node's identity values. They land in config files (a comment header, a
 * {@code server.N=} line, {@code advertised.listeners}) and in log lines, so each is checked against
 * a small grammar at the edge and refused otherwise: no control character, no separator of any file
 * format, nothing that a parser could read as more than one value.
 *
 * <ul>
 *   <li>FQDN: RFC 1123 host name: dot-separated labels of letters, digits and hyphens, 1 to 63
 *       characters each, neither starting nor ending with a hyphen; at most 253 characters.
 *   <li>Cluster name: a letter or digit, then letters, digits, {@code .}, {@code _} or {@code -};
 *       at most 64 characters.
 *   <li>Ids (roles, cluster configs, services): lower-case letters, digits, {@code -} and {@code _},
 *       starting with a letter or digit; at most 63 characters.
 * </ul>
 */
public final class Names {
    public static final int FQDN_MAX = 253;
    public static final int LABEL_MAX = 63;
    public static final int CLUSTER_NAME_MAX = 64;
    public static final int ID_MAX = 63;

    private Names() {}

    /** Null when {@code s} is a valid FQDN, else why not. */
    public static String fqdnProblem(String s) {
        if (s.isEmpty()) {
            return "is empty";
        }
        if (s.length() > FQDN_MAX) {
            return "is " + s.length() + " characters long; a host name has at most " + FQDN_MAX;
        }
        if (hasControl(s)) {
            return "contains a control character";
        }
        if (s.endsWith(".")) {
            return "ends with a dot; write the name without it";
        }
        int start = 0;
        while (true) {
            int dot = s.indexOf('.', start);
            int end = dot < 0 ? s.length() : dot;
            String label = s.substring(start, end);
            if (label.isEmpty()) {
                return "has an empty label (two dots in a row, or a leading dot)";
            }
            if (label.length() > LABEL_MAX) {
                return "has a label of " + label.length() + " characters; at most " + LABEL_MAX;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(isLetterOrDigit(c) || c == '-')) {
                    return "has '" + printable(String.valueOf(c)) + "' in label '" + printable(label)
                            + "'; a host name has letters, digits, hyphens and dots only";
                }
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                return "has label '" + label + "' starting or ending with a hyphen";
            }
            if (dot < 0) {
                return null;
            }
            start = dot + 1;
        }
    }

    /** Null when {@code s} is a valid cluster name, else why not. */
    public static String clusterNameProblem(String s) {
        if (s.isEmpty()) {
            return "is empty";
        }
        if (s.length() > CLUSTER_NAME_MAX) {
            return "is " + s.length() + " characters long; at most " + CLUSTER_NAME_MAX;
        }
        if (!isLetterOrDigit(s.charAt(0))) {
            return "must start with a letter or a digit";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isLetterOrDigit(c) || c == '.' || c == '_' || c == '-')) {
                return "has '" + printable(String.valueOf(c)) + "'; use letters, digits, '.', '_' and '-' only";
            }
        }
        return null;
    }

    /** Null when {@code s} is a valid id (role, cluster config, service), else why not. */
    public static String idProblem(String s) {
        if (s.isEmpty()) {
            return "is empty";
        }
        if (s.length() > ID_MAX) {
            return "is " + s.length() + " characters long; at most " + ID_MAX;
        }
        char first = s.charAt(0);
        if (!(first >= 'a' && first <= 'z' || first >= '0' && first <= '9')) {
            return "must start with a lower-case letter or a digit";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return "has '" + printable(String.valueOf(c)) + "'; use lower-case letters, digits, '-' and '_' only";
            }
        }
        return null;
    }

    /**
     * {@code s} fit for a message: control characters as escapes ({@code \n}, {@code &#92;u0007}), at
     * most 80 characters (then {@code ...}), so that a hostile value can neither forge log lines nor
     * flood them.
     */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 90));
        for (int i = 0; i < s.length(); i++) {
            if (sb.length() >= 80) {
                return sb.append("...").toString();
            }
            appendEscaped(sb, s.charAt(i));
        }
        return sb.toString();
    }

    /**
     * {@code s} with every control character written as an escape and nothing cut: C0 (newline and
     * tab included: {@code \n}, {@code \r}, {@code \t}, else {@code &#92;u001b}), DEL, C1 ({@code
     * &#92;u0085}, {@code &#92;u009b}) and the Unicode line and paragraph separators. What this returns
     * can reach a terminal without moving its cursor, clearing it, or starting a line of its own.
     */
    public static String escapeControls(String s) {
        if (!hasControl(s)) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            appendEscaped(sb, s.charAt(i));
        }
        return sb.toString();
    }

    /** Appends {@code c}, or its escape when it is a control character (see {@link #escapeControls}). */
    public static void appendEscaped(StringBuilder sb, char c) {
        switch (c) {
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            default -> {
                if (isControl(c)) {
                    sb.append("\\u").append(Integer.toHexString(0x10000 | c).substring(1));
                } else {
                    sb.append(c);
                }
            }
        }
    }

    /** C0, DEL, C1, or a Unicode line or paragraph separator. */
    public static boolean isControl(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
    }

    /** Whether {@code s} has a C0 or C1 control character (or a Unicode line separator). */
    public static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLetterOrDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
