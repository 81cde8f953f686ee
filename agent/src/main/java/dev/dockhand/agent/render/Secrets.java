package dev.dockhand.agent.render;

import java.util.Locale;
import java.util.regex.Pattern;

/** Keys whose values are never printed: in logs, {@code --explain}, status or metrics. */
public final class Secrets {
    private static final Pattern SECRET = Pattern.compile("password|passwd|secret|jaas|key|token|credential");
    public static final String MASK = "******";

    private Secrets() {}

    public static boolean isSecretKey(String key) {
        return SECRET.matcher(key.toLowerCase(Locale.ROOT)).find();
    }

    public static String mask(String key, String value) {
        return isSecretKey(key) ? MASK : value;
    }

    /**
     * A command line to print: the value of every {@code -Dkey=value} with a secret key masked (a user's
     * {@code KAFKA_OPTS} may hold {@code -Djavax.net.ssl.keyStorePassword=...}).
     */
    public static java.util.List<String> maskArgs(java.util.List<String> argv) {
        return argv.stream().map(a -> {
            int eq = a.indexOf('=');
            return a.startsWith("-D") && eq > 0 && isSecretKey(a.substring(2, eq)) ? a.substring(0, eq + 1) + MASK : a;
        }).toList();
    }
}
