package dev.dockhand.connect.auth;

import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic logins in front of every resource of the worker's REST API, as {@link Gate} decides; before
 * resource matching, so that nothing runs (and no 404 tells what exists) for a request that is refused.
 * Refusals answer in Connect's own error shape ({@code {"error_code":401,"message":...}}), a 401 with
 * {@code WWW-Authenticate}.
 *
 * <p>Never logs a password or an {@code Authorization} header; a refused login is logged at DEBUG only,
 * so that anonymous traffic cannot fill the log.
 */
@PreMatching
final class LoginFilter implements ContainerRequestFilter {
    private static final Logger LOG = LoggerFactory.getLogger(LoginFilter.class);
    static final String REALM = "Basic realm=\"dockhand connect\", charset=\"UTF-8\"";

    private final Gate gate;

    LoginFilter(Gate gate) {
        this.gate = gate;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String method = request.getMethod();
        String path = request.getUriInfo().getRequestUri().getRawPath();
        Gate.Verdict verdict = gate.check(method, path == null ? "/" : path, request.getHeaderString(HttpHeaders.AUTHORIZATION),
                request.getHeaderString(Gate.SIGNATURE_HEADER) != null);
        if (verdict instanceof Gate.Verdict.Unauthenticated u) {
            LOG.debug("401 {} {}: {}", method, path, u.message());
            request.abortWith(error(401, u.message()).header(HttpHeaders.WWW_AUTHENTICATE, REALM).build());
        } else if (verdict instanceof Gate.Verdict.Forbidden f) {
            LOG.info("403 {} {}: user {} has the {} role", method, path, f.user().name(), f.user().role());
            request.abortWith(error(403, f.message()).build());
        }
    }

    /** Connect's error body ({@code org.apache.kafka.connect.runtime.rest.entities.ErrorMessage}), written here: no JSON library needed. */
    static Response.ResponseBuilder error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity("{\"error_code\":" + status + ",\"message\":\"" + json(message) + "\"}");
    }

    static String json(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
