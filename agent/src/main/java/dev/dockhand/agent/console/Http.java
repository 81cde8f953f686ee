package dev.dockhand.agent.console;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The console's outgoing HTTP (agents, registry): every request bounded by the deadline. */
final class Http {
    /** Lenient on input: agents and registries may add fields and states we do not know yet. */
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL, true);

    private final HttpClient client;

    Http(Duration connectTimeout, ExecutorService executor) {
        this(connectTimeout, executor, null);
    }

    /**
     * @param tls for https URLs (the registry on a secured node): trusts the cluster's CA only and
     *     checks the server's name against its certificate; null: the JDK's defaults. Plain http URLs
     *     (the agents' read-only endpoints) are not affected.
     */
    Http(Duration connectTimeout, ExecutorService executor, javax.net.ssl.SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor);
        if (tls != null) {
            b.sslContext(tls).sslParameters(dev.dockhand.agent.security.TlsContexts.verifyingHost(tls));
        }
        this.client = b.build();
    }

    /** A reply that arrived: status and body. */
    record Reply(int status, String body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    /**
     * GETs {@code url}; throws when no reply arrived by the deadline. The future is cancelled then,
     * so a peer that accepts and never answers holds nothing of ours.
     */
    Reply get(String url, Deadline deadline) throws IOException, InterruptedException, TimeoutException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                .timeout(deadline.remaining())
                .header("Accept", "application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(req, HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> r = f.get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
            return new Reply(r.statusCode(), r.body());
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            throw new IOException(Deadline.reason(c), c);
        } finally {
            f.cancel(true);
        }
    }
}
