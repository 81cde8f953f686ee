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
}
