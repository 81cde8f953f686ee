package dev.dockhand.agent.metadata;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** What the node knows about itself without being told: its hostname and its FQDN from the resolver. */
public interface HostInfo {

    Optional<String> hostname();

    Optional<String> resolverFqdn();

    /** The real host: {@code InetAddress.getLocalHost()} (which reads /etc/hosts and DNS). */
    static HostInfo system() {
        return new HostInfo() {
            @Override
            public Optional<String> hostname() {
                try {
                    return Optional.of(InetAddress.getLocalHost().getHostName());
                } catch (UnknownHostException e) {
                    // getLocalHost fails when the hostname does not resolve; the message still carries it
                    String m = e.getMessage();
                    return m == null ? Optional.empty() : Optional.of(m.split(":")[0].trim());
                }
            }

            @Override
            public Optional<String> resolverFqdn() {
                try {
                    return Optional.of(InetAddress.getLocalHost().getCanonicalHostName());
                } catch (UnknownHostException e) {
                    return Optional.empty();
                }
            }
        };
    }
}
