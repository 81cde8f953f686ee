package dev.dockhand.agent.render;

import dev.dockhand.agent.core.SecretText;
import java.util.List;

/** What {@code agent render --explain} and the launch lines show of a value: never a secret (the rule: {@link SecretText}). */
public final class Secrets {
    public static final String MASK = SecretText.MASK;

    private Secrets() {}

    public static boolean isSecretKey(String key) {
        return SecretText.isSecretKey(key);
    }

    /**
     * {@code value} as shown for {@code key}: masked whole when the key looks secret, else with any secret inside it
     * masked (a JDBC URL's {@code password=...} or {@code user:password@}, a JAAS line).
     */
    public static String mask(String key, String value) {
        return isSecretKey(key) ? MASK : SecretText.redact(value);
    }

    /**
     * A command line to print: the value of every {@code -Dkey=value} with a secret key masked (a user's
     * {@code KAFKA_OPTS} may hold {@code -Djavax.net.ssl.keyStorePassword=...}), and any secret inside an argument.
     */
    public static List<String> maskArgs(List<String> argv) {
        return argv.stream().map(a -> {
            int eq = a.indexOf('=');
            return a.startsWith("-D") && eq > 0 && isSecretKey(a.substring(2, eq)) ? a.substring(0, eq + 1) + MASK : SecretText.redact(a);
        }).toList();
    }
}
