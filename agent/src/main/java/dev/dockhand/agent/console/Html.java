package dev.dockhand.agent.console;

import java.util.regex.Pattern;

/**
 * A tiny HTML builder that escapes by default: text and attribute values always go through
 * {@link #escape}; tag and attribute names must be plain lowercase names (they come from our code,
 * never from data). {@link #raw} exists only for the page's constant CSS and script.
 */
final class Html {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

    private final StringBuilder out = new StringBuilder(8192);

    /** Escapes the five characters that matter in HTML text and quoted attribute values. */
    static String escape(Object value) {
        String s = String.valueOf(value);
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (rep != null) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                b.append(rep);
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    /** Opens {@code tag} with attributes given as name, value pairs; values are escaped. */
    Html open(String tag, String... attributes) {
        checkName(tag);
        if (attributes.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name, value pairs: " + tag);
        }
        out.append('<').append(tag);
        for (int i = 0; i < attributes.length; i += 2) {
            if (attributes[i + 1] == null) {
                continue;
            }
            checkName(attributes[i]);
            out.append(' ').append(attributes[i]).append("=\"").append(escape(attributes[i + 1])).append('"');
        }
        out.append('>');
        return this;
    }

    Html close(String tag) {
        checkName(tag);
        out.append("</").append(tag).append('>');
        return this;
    }

    /** Escaped text. */
    Html text(Object value) {
        out.append(escape(value));
        return this;
    }

    /** {@code <tag class=cls>text</tag>}; {@code cls} may be null. */
    Html el(String tag, String cls, Object text) {
        return open(tag, "class", cls).text(text).close(tag);
    }

    Html el(String tag, Object text) {
        return el(tag, null, text);
    }

    /** Unescaped: only for constants of this package (CSS, script, doctype). */
    Html raw(String trustedConstant) {
        out.append(trustedConstant);
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a tag or attribute name: " + name);
        }
    }
}
