package dev.dockhand.agent.health;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Ready when {@code GET path} answers the expected status (and, if given, a body containing a string). */
final class HttpCheck implements HealthCheck {
    private static final int MAX_BODY = 64 * 1024;
    private final String path;
    private final int expectStatus;
    private final String expectBody;

    HttpCheck(String path, int expectStatus, String expectBody) {
        this.path = path.startsWith("/") ? path : "/" + path;
        this.expectStatus = expectStatus;
        this.expectBody = expectBody;
    }

    @Override
    public HealthResult check(String host, int port, Duration timeout) {
        long start = System.nanoTime();
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create("http://" + host + ":" + port + path).toURL().openConnection();
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            c.setInstanceFollowRedirects(false);
            int status = c.getResponseCode();
            if (status != expectStatus) {
                return HealthResult.failed("GET " + path + " answered " + status + ", expected " + expectStatus, Probes.since(start));
            }
            if (expectBody != null) {
                String body;
                try (InputStream in = c.getInputStream()) {
                    body = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
                }
                if (!body.contains(expectBody)) {
                    return HealthResult.failed("GET " + path + " body lacks '" + expectBody + "'", Probes.since(start));
                }
            }
            return HealthResult.ok("GET " + path + " " + status, Probes.since(start));
        } catch (IOException | IllegalArgumentException e) {
            return HealthResult.failed(Probes.describe(e, host, port), Probes.since(start));
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }
}
