package dev.dockhand.registry.auth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.annotation.Priority;
import javax.inject.Inject;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.Response;
import javax.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/**
 * HTTP Basic logins in front of every REST API of the registry (Confluent's, Apicurio's v1 and v2,
 * what its web UI calls), as {@link Gate} decides. Before resource matching and before the
 * Confluent-compatibility layer (whose {@code PUT /mode} answers without reaching Apicurio), so that
 * nothing runs for a request that is refused. Refusals answer as Confluent's registry does with
 * basic authentication on: 401 with {@code WWW-Authenticate} and error code 40101, 403 with 40301.
 *
 * <p>Never logs a password or an {@code Authorization} header. A request without a login that needs
 * one is logged at DEBUG only, so that anonymous traffic cannot fill the log; a refused login (a wrong
 * password, an unknown user) is one WARN line with the user name (escaped) and the client's address,
 * and a source that keeps failing is answered 429 with {@code Retry-After} and no longer logged line
 * by line ({@link dev.dockhand.users.FailedLogins}). The address is the connection's: a proxy in front
 * of the registry would make every client one source.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class LoginFilter implements ContainerRequestFilter {
    private static final Logger LOG = Logger.getLogger(LoginFilter.class);
    static final String REALM = "Basic realm=\"dockhand schema registry\", charset=\"UTF-8\"";
    static final int UNAUTHORIZED = 40101;
    static final int FORBIDDEN = 40301;
    /** Confluent's registry has no code of its own for this; 429 and the HTTP status with two digits, as its others. */
    static final int TOO_MANY = 42901;
    /** io.apicurio.registry.metrics.health.readiness.ResponseTimeoutReadinessCheck's header. */
    private static final String REQUEST_START = "X-Apicurio-Registry-ResponseTimeoutReadinessCheck-RequestStart";

    @Inject
    Logins logins;

    /** The request's Vert.x context, for the client's address (Quarkus's RESTEasy sets it before any filter). */
    @Inject
    CurrentVertxRequest current;

    /** The same request as RESTEasy's context has it: where the client's address comes from if the above has none. */
    @Context
    HttpServerRequest connection;

    private final AtomicBoolean unknownAddressSaid = new AtomicBoolean();

    @Override
    public void filter(ContainerRequestContext request) {
        Gate gate = logins.gate();
        if (gate == null) {
            return;
        }
        String path = request.getUriInfo().getRequestUri().getRawPath();
        Gate.Verdict verdict = gate.check(request.getMethod(), path, request.getHeaderString(HttpHeaders.AUTHORIZATION), client());
        if (!(verdict instanceof Gate.Verdict.Pass)) {
            // Apicurio times every request from a header its own request filter sets after matching;
            // for a request refused before that, its response filter would log a WARN each time
            request.getHeaders().putSingle(REQUEST_START, Instant.now().toString());
        }
        if (verdict instanceof Gate.Verdict.Unauthenticated u) {
            LOG.debugf("401 %s %s: %s", request.getMethod(), path, u.message());
            request.abortWith(error(401, UNAUTHORIZED, u.message(), path).header(HttpHeaders.WWW_AUTHENTICATE, REALM).build());
        } else if (verdict instanceof Gate.Verdict.TooMany t) {
            request.abortWith(error(429, TOO_MANY, t.message(), path).header("Retry-After", Long.toString(t.retryAfterSeconds())).build());
        } else if (verdict instanceof Gate.Verdict.Forbidden f) {
            LOG.infof("403 %s %s: user %s has the %s role", request.getMethod(), path, f.user().name(), f.user().role());
            request.abortWith(error(403, FORBIDDEN, f.message(), path).build());
        }
    }

    /**
     * The client's address (an IP literal: no name lookup), or null when the connection does not say; said
     * once in the log then, since every client is then one source to the limit on refused logins.
     */
    private InetAddress client() {
        String why = "no remote address";
        for (int i = 0; i < 2; i++) {
            try {
                HttpServerRequest r = i == 0 ? (current == null || current.getCurrent() == null ? null : current.getCurrent().request()) : connection;
                SocketAddress a = r == null ? null : r.remoteAddress();
                String host = a == null ? null : a.hostAddress() != null ? a.hostAddress() : a.host();
                if (host != null && !host.isEmpty()) {
                    return InetAddress.getByName(host);
                }
            } catch (UnknownHostException | RuntimeException e) {
                why = e.getClass().getSimpleName();
            }
        }
        if (unknownAddressSaid.compareAndSet(false, true)) {
            LOG.warnf("a request's client address is unknown (%s): refused logins from such requests are limited as one source", why);
        }
        return null;
    }

    private static Response.ResponseBuilder error(int status, int code, String message, String path) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("error_code", code).put("message", message);
        String type = path.startsWith("/apis/ccompat/") ? "application/vnd.schemaregistry.v1+json" : "application/json";
        return Response.status(status).type(type).entity(body);
    }
}
