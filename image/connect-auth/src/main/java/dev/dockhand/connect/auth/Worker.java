package dev.dockhand.connect.auth;

import java.lang.reflect.InvocationTargetException;
import java.security.Security;

/**
 * The Connect worker's main class in the image: installs {@link PemKeyStore}'s provider (so that the
 * worker's Jetty reads the node's PEM key and CA as its HTTPS key and trust stores), then runs Kafka's
 * {@code org.apache.kafka.connect.cli.ConnectDistributed} with the same arguments. A provider must be
 * installed before Jetty starts, which happens before any REST extension is loaded.
 */
public final class Worker {
    static final String CONNECT_DISTRIBUTED = "org.apache.kafka.connect.cli.ConnectDistributed";

    private Worker() {}

    public static void main(String[] args) throws Throwable {
        Security.addProvider(new PemKeyStore.DockhandProvider());
        try {
            Class.forName(CONNECT_DISTRIBUTED).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
