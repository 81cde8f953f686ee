package dev.dockhand.agent.health;

import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * How a probe speaks TLS to a secured service: with the node's context (asked at every probe, since
 * the node's certificate is renewed while it runs) and checking that the server's certificate names
 * {@code serverName}, or the host connected to when that is null. A local probe connects to loopback
 * but checks the node's own FQDN: the name its certificate carries.
 */
public record ProbeTls(Supplier<SSLContext> context, String serverName) {}
