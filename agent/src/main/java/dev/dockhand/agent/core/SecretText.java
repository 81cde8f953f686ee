package dev.dockhand.agent.core;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the values of secret-looking keys in free text. A key is secret when its name contains
 * {@code password}, {@code secret}, {@code jaas}, {@code key}, {@code token} or {@code credential}
 * (any case); the match is deliberately broad (it also masks {@code ssl.keystore.location}): showing
 * one path too few costs little, leaking one password costs a lot.
 *
 * <p>One rule for every text the agent shows: the snapshots and the control plane's log lines
 * ({@code control/Redactor}), {@code agent render --explain} and the launch lines ({@code render/Secrets}).
 * Besides {@code key=value} forms, a URL's user information ({@code scheme://user:password@host}) is
 * masked: a JDBC or HTTP URL given as a setting's value carries its password there.
 */
public final class SecretText {

    /** What a masked value is replaced with. */
    public static final String MASK = "****";

    private static final String WORDS = "password|passwd|secret|jaas|key|token|credential";
    private static final String KEY = "[A-Za-z0-9_.\\-]*(?:" + WORDS + ")[A-Za-z0-9_.\\-]*";

    /**
     * {@code key=value}, {@code key: value}, {@code "key":"value"}, {@code -Dkey=value}. A quoted
     * value ends at its closing quote; a JAAS value runs to the end of the line (it holds spaces and
     * its own {@code password="..."}); any other value ends at whitespace, a comma or a semicolon.
     */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)(\"?)(" + KEY + ")(\"?\\s*[=:]\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^\\s,;\"'}]+)");

    /** {@code --password VALUE}, {@code -token VALUE}: a flag naming a secret followed by its value. */
    private static final Pattern FLAG = Pattern.compile("(?i)(?<![\\w.\\-])(--?" + KEY + ")(\\s+)([^\\s-]\\S*)");

    /** The rest of the line after a JAAS key's separator. */
    private static final Pattern JAAS =
            Pattern.compile("(?i)(\"?[A-Za-z0-9_.\\-]*jaas[A-Za-z0-9_.\\-]*\"?\\s*[=:]\\s*)([^\\r\\n]*)");

    /** {@code scheme://user:password@}: the password of a URL's user information. */
    private static final Pattern USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.\\-]*://[^/\\s:@]*:)([^/\\s@]+)(@)");

    private SecretText() {}

    /** Whether a key's name looks secret. */
    public static boolean isSecretKey(String key) {
        if (key == null) {
            return false;
        }
        String k = key.toLowerCase(Locale.ROOT);
        for (String w : WORDS.split("\\|")) {
            if (k.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /** The value to show for {@code key}: {@link #MASK} when the key looks secret, else the value. */
    public static String value(String key, String value) {
        return isSecretKey(key) ? MASK : value;
    }

    /** {@code text} with the value of every secret-looking key masked; null stays null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        Matcher jaas = JAAS.matcher(out);
        out = jaas.replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        Matcher a = ASSIGNMENT.matcher(out);
        out = a.replaceAll(m -> {
            String v = m.group(4);
            if (v.equals(MASK) || v.equals("\"" + MASK + "\"")) {
                return Matcher.quoteReplacement(m.group());
            }
            String masked = v.startsWith("\"") ? "\"" + MASK + "\"" : v.startsWith("'") ? "'" + MASK + "'" : MASK;
            return Matcher.quoteReplacement(m.group(1) + m.group(2) + m.group(3) + masked);
        });
        Matcher f = FLAG.matcher(out);
        out = f.replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
        Matcher u = USERINFO.matcher(out);
        out = u.replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + m.group(3)));
        return out;
    }
}
