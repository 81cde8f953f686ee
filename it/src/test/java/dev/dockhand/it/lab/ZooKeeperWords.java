package dev.dockhand.it.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** ZooKeeper's four-letter words (the catalog whitelists ruok, srvr, stat, mntr, conf). */
public final class ZooKeeperWords {
    private ZooKeeperWords() {}

    public static String ask(String host, int port, String word) throws IOException {
        return ask(host, port, word, null);
    }

    /** {@code word} over TLS with {@code tls} (a client certificate from the cluster's CA), or plaintext when null. */
    public static String ask(String host, int port, String word, javax.net.ssl.SSLContext tls) throws IOException {
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(host, port), 2000);
            raw.setSoTimeout(3000);
            Socket s = raw;
            if (tls != null) {
                javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(raw, host, port, true);
                ssl.setSSLParameters(dev.dockhand.agent.security.TlsContexts.verifyingHost(tls));
                ssl.startHandshake();
                s = ssl;
            }
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * What a TLS-only ZooKeeper port does with a plaintext {@code srvr}: "closed ..." when it accepted the
     * connection and closed it without an answer (the refusal); otherwise what happened instead: the
     * connection refused or unreachable (no server there), silence until the read timeout, or an answer.
     */
    public static String plaintextRefusal(String host, int port) {
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress(host, port), 2000);
            } catch (IOException e) {
                return "not connected (no server?): " + e;
            }
            s.setSoTimeout(10_000);
            // "srvr" and a line end: a plaintext server reads the first four bytes as the word and answers;
            // a TLS server needs five bytes (a record header) to see that this is no TLS, and waits for
            // them in silence when given four
            s.getOutputStream().write("srvr\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] got;
            try {
                got = s.getInputStream().readAllBytes();
            } catch (java.net.SocketTimeoutException e) {
                return "silent for 10 s: neither an answer nor a close";
            } catch (java.net.SocketException e) {
                return "closed by a reset: " + e.getMessage();
            }
            String text = new String(got, StandardCharsets.ISO_8859_1);
            return text.contains("Zookeeper version") || text.contains("Mode:") ? "answered in plaintext: " + text
                    : "closed after " + got.length + " bytes, no answer";
        } catch (IOException e) {
            return "closed by an error: " + e;
        }
    }

    /** The {@code Mode:} of {@code srvr} (leader, follower, standalone), empty when it does not serve. */
    public static Optional<String> mode(String host, int port) {
        return mode(host, port, null);
    }

    /** As {@link #mode(String, int)}, over TLS with {@code tls} unless it is null. */
    public static Optional<String> mode(String host, int port, javax.net.ssl.SSLContext tls) {
        try {
            for (String line : ask(host, port, "srvr", tls).split("\n")) {
                if (line.startsWith("Mode:")) {
                    return Optional.of(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            // not serving
        }
        return Optional.empty();
    }
}
