package dev.dockhand.agent.net;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HTTP/1.1 for a {@link RequestServer}: one request per connection, answered by a {@link Handler}
 * and closed ({@code Connection: close}), which Kubernetes probes, Prometheus and browsers handle.
 * Request headers and bodies are read and ignored. A request head of at most {@value #MAX_HEAD_BYTES}
 * bytes (else 431), complete within the read timeout (else 408); a malformed request line is 400, a
 * version other than 1.x is 505.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver}: it has no deadline for reading a request head,
 * so a few clients that send half a request hold every one of its threads for good; and in PID 1, which
 * keeps what it loads, it brings about 60 classes of its own, a dispatcher thread and, for its Date
 * header, the CLDR locale providers (about 150 classes).
 */
public final class HttpProtocol implements RequestServer.Protocol {
    public static final int MAX_HEAD_BYTES = 8192;
    /** The read timeout of a request head unless told otherwise: probes send theirs at once. */
    public static final long READ_TIMEOUT_MS = 3000;
    public static final String TEXT = "text/plain; charset=utf-8";

    /** Answers one request, on a worker thread. */
    public interface Handler {
        /**
         * {@code method} as sent (case matters); {@code path} percent-decoded, without query or
         * fragment, always starting with {@code /}. The server leaves out the body for HEAD.
         */
        Response answer(String method, String path);
    }

    /** A header of an answer. */
    public record Header(String name, String value) {}

    /** Status, content type, body and extra headers (such as {@code Allow} for 405). */
    public static final class Response {
        final int code;
        final String type;
        final byte[] body;
        final List<Header> headers;

        public Response(int code, String type, String body, List<Header> headers) {
            this.code = code;
            this.type = type;
            this.body = body.getBytes(StandardCharsets.UTF_8);
            this.headers = List.copyOf(headers);
        }

        public Response(int code, String type, String body) {
            this(code, type, body, List.of());
        }

        public int code() {
            return code;
        }
    }

    private final Handler handler;
    private final long readTimeoutMs;

    public HttpProtocol(Handler handler, long readTimeoutMs) {
        this.handler = handler;
        this.readTimeoutMs = readTimeoutMs;
    }

    public HttpProtocol(Handler handler) {
        this(handler, READ_TIMEOUT_MS);
    }

    @Override
    public int maxRequestBytes() {
        return MAX_HEAD_BYTES;
    }

    @Override
    public long requestTimeoutMillis() {
        return readTimeoutMs;
    }

    @Override
    public int requestEnd(byte[] buf, int length, boolean eof) {
        return endOfHead(buf, 0, length);
    }

    @Override
    public byte[] failure(RequestServer.Failure failure, int received) {
        return switch (failure) {
            case TIMED_OUT -> format(new Response(408, TEXT, "no complete request within " + readTimeoutMs + " ms\n"), false);
            case TOO_LARGE -> format(new Response(431, TEXT, "request head larger than " + MAX_HEAD_BYTES + " bytes\n"), false);
            // nothing at all: a TCP connect check
            case CUT_SHORT -> received == 0 ? null : format(new Response(400, TEXT, "request cut short\n"), false);
            case BUSY -> format(new Response(503, TEXT, "busy; try again\n"), false);
        };
    }

    @Override
    public byte[] answer(byte[] request, int end, Object admitted) {
        String line = requestLine(request, end);
        int sp1 = line.indexOf(' ');
        int sp2 = line.indexOf(' ', sp1 + 1);
        String version = sp2 < 0 ? "" : line.substring(sp2 + 1);
        if (sp1 <= 0 || sp2 < 0 || !isToken(line, 0, sp1) || !isVersion(version)) {
            return format(new Response(400, TEXT, "malformed request line; expected METHOD /path HTTP/1.1\n"), false);
        }
        if (version.charAt(5) != '1') {
            return format(new Response(505, TEXT, "HTTP/1.1 only\n"), false);
        }
        String method = line.substring(0, sp1);
        String path = path(line.substring(sp1 + 1, sp2));
        if (path == null) {
            return format(new Response(400, TEXT, "malformed request target; expected a path such as /livez\n"), false);
        }
        Response r;
        try {
            r = handler.answer(method, path);
        } catch (RuntimeException e) {
            r = new Response(500, TEXT, "internal error\n");
        }
        return format(r, "HEAD".equals(method));
    }

    /**
     * Where the head ends (just after its empty line) if it ends in {@code b[from, to)}, else -1. Bare
     * LF line ends count too, as RFC 9112 allows.
     */
    public static int endOfHead(byte[] b, int from, int to) {
        for (int i = Math.max(from, 1); i < to; i++) {
            if (b[i] == '\n' && (b[i - 1] == '\n' || (b[i - 1] == '\r' && i >= 2 && b[i - 2] == '\n'))) {
                return i + 1;
            }
        }
        return -1;
    }

    /** The head's first line without its line end, skipping empty lines before it (RFC 9112 2.2). */
    private static String requestLine(byte[] head, int end) {
        int start = 0;
        while (start < end && (head[start] == '\r' || head[start] == '\n')) {
            start++;
        }
        int stop = start;
        while (stop < end && head[stop] != '\n') {
            stop++;
        }
        if (stop > start && head[stop - 1] == '\r') {
            stop--;
        }
        return new String(head, start, stop - start, StandardCharsets.ISO_8859_1);
    }

    /** {@code HTTP/d.d}; any 1.x is answered as 1.1 (RFC 9110 section 2.5). */
    private static boolean isVersion(String v) {
        return v.length() == 8 && v.startsWith("HTTP/") && isDigit(v.charAt(5)) && v.charAt(6) == '.' && isDigit(v.charAt(7));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isToken(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The path of a request target in origin form ({@code /status?x=1}) or absolute form
     * ({@code http://host:9800/status}), without query or fragment and percent-decoded; null when
     * malformed (or {@code *}, or another form).
     */
    public static String path(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return null;
            }
        }
        String t = target;
        if (!t.startsWith("/")) {
            int scheme = t.regionMatches(true, 0, "http://", 0, 7) ? 7 : t.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
            if (scheme < 0) {
                return null;
            }
            int slash = scheme;
            while (slash < t.length() && "/?#".indexOf(t.charAt(slash)) < 0) {
                slash++;
            }
            t = slash < t.length() && t.charAt(slash) == '/' ? t.substring(slash) : "/";
        }
        int query = 0;
        while (query < t.length() && t.charAt(query) != '?' && t.charAt(query) != '#') {
            query++;
        }
        return decode(t.substring(0, query));
    }

    private static String decode(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        byte[] out = new byte[path.length()];
        int n = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                int hi = i + 2 < path.length() ? Character.digit(path.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(path.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    return null;
                }
                out[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** The whole answer; for HEAD the headers only, with the length GET would send. */
    static byte[] format(Response r, boolean headOnly) {
        StringBuilder h = new StringBuilder(192)
                .append("HTTP/1.1 ").append(r.code).append(' ').append(reason(r.code))
                .append("\r\nDate: ").append(HttpDate.format(System.currentTimeMillis()))
                .append("\r\nContent-Type: ").append(r.type)
                .append("\r\nCache-Control: no-store\r\n");
        for (Header x : r.headers) {
            h.append(x.name()).append(": ").append(x.value()).append("\r\n");
        }
        h.append("Content-Length: ").append(r.body.length).append("\r\nConnection: close\r\n\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        int bodyLength = headOnly ? 0 : r.body.length;
        byte[] all = new byte[head.length + bodyLength];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(r.body, 0, all, head.length, bodyLength);
        return all;
    }

    static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Unknown";
        };
    }
}
