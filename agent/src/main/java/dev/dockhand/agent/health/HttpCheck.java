package dev.dockhand.agent.health;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Ready when {@code GET path} answers the expected status (and, if given, a body containing a string).
 *
 * <p>HTTP/1.1 over a plain socket, one request per connection ({@code Connection: close}), the whole
 * probe (connect, request, answer) within the timeout. The JDK's {@code HttpURLConnection} would do
 * it with about 60 classes more in PID 1 (its protocol handler, keep-alive cache and platform
 * logger), a keep-alive thread, and connect and read timeouts that add up to twice the probe's.
 * Redirects are not followed: a 3xx is an answer like any other.
 */
final class HttpCheck implements HealthCheck {
    private static final int MAX_HEAD = 16 * 1024;
    private static final int MAX_BODY = 64 * 1024;
    private final String path;
    private final int expectStatus;
    private final String expectBody;
    private final ProbeTls tls;

    HttpCheck(String path, int expectStatus, String expectBody) {
        this(path, expectStatus, expectBody, null);
    }

    /** @param tls how to speak HTTPS, or null for HTTP */
    HttpCheck(String path, int expectStatus, String expectBody, ProbeTls tls) {
        this.tls = tls;
        this.path = path.startsWith("/") ? path : "/" + path;
        this.expectStatus = expectStatus;
        this.expectBody = expectBody;
    }

    @Override
    public HealthResult check(String host, int port, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Socket s = Probes.connect(host, port, deadline, tls)) {
            String name = tls != null && tls.serverName() != null ? tls.serverName() : host;
            String authority = (name.indexOf(':') >= 0 ? "[" + name + "]" : name) + ":" + port;
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + authority
                    + "\r\nUser-Agent: dockhand-agent\r\nAccept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = DeadlineInput.of(s, deadline);
            String head = readHead(in);
            int status = status(head);
            if (status != expectStatus) {
                return HealthResult.failed("GET " + path + " answered " + status + ", expected " + expectStatus, Probes.since(start));
            }
            if (expectBody != null && !body(in, head).contains(expectBody)) {
                return HealthResult.failed("GET " + path + " body lacks '" + expectBody + "'", Probes.since(start));
            }
            return HealthResult.ok((tls != null ? "HTTPS " : "") + "GET " + path + " " + status, Probes.since(start));
        } catch (IOException | IllegalArgumentException e) {
            return HealthResult.failed(Probes.describe(e, host, port), Probes.since(start));
        }
    }

    /** Status line and headers, up to the empty line (CRLF or LF line ends). */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int newlines = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the answer ended in its head");
            }
            if (head.size() == MAX_HEAD) {
                throw new ProtocolException("an answer head longer than " + MAX_HEAD + " bytes");
            }
            head.write(b);
            if (b == '\n') {
                if (++newlines == 2) {
                    return head.toString(StandardCharsets.ISO_8859_1);
                }
            } else if (b != '\r') {
                newlines = 0;
            }
        }
    }

    /** The code of a status line {@code HTTP/1.x NNN reason}. */
    static int status(String head) throws ProtocolException {
        int sp = head.indexOf(' ');
        if (!head.startsWith("HTTP/") || sp < 0 || head.length() < sp + 4) {
            throw new ProtocolException("not an HTTP answer: " + firstLine(head));
        }
        try {
            return Integer.parseInt(head.substring(sp + 1, sp + 4));
        } catch (NumberFormatException e) {
            throw new ProtocolException("no status code in: " + firstLine(head));
        }
    }

    /** Up to {@link #MAX_BODY} bytes of the body, chunked or not. */
    static String body(InputStream in, String head) throws IOException {
        String h = head.toLowerCase(Locale.ROOT);
        InputStream body = in;
        if (h.contains("\ntransfer-encoding: chunked")) {
            body = new Dechunk(in);
        } else {
            int at = h.indexOf("\ncontent-length:");
            if (at >= 0) {
                int end = h.indexOf('\n', at + 1);
                long length = Long.parseLong(h.substring(at + "\ncontent-length:".length(), end).strip());
                return new String(in.readNBytes((int) Math.min(length, MAX_BODY)), StandardCharsets.UTF_8);
            }
        }
        return new String(body.readNBytes(MAX_BODY), StandardCharsets.UTF_8); // until the server closes
    }

    private static String firstLine(String head) {
        int nl = head.indexOf('\n');
        return (nl < 0 ? head : head.substring(0, nl)).strip();
    }

    /** Transfer-Encoding: chunked, decoded; trailers ignored. */
    private static final class Dechunk extends InputStream {
        private final InputStream in;
        private long left; // of the current chunk
        private boolean done;

        Dechunk(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                left = chunkSize();
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the answer ended inside a chunk");
            }
            left -= n;
            if (left == 0) {
                line(); // the CRLF after the chunk's data
            }
            return n;
        }

        private long chunkSize() throws IOException {
            String size = line();
            int semi = size.indexOf(';');
            try {
                return Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad chunk size: " + size);
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new EOFException("the answer ended inside a chunk header");
                }
                if (sb.length() > 1024) {
                    throw new ProtocolException("a chunk header longer than 1024 bytes");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }
    }
}
