package dev.dockhand.agent.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HTTP/1.1 for a {@link RequestServer}: one request per connection, answered by a {@link Handler}
 * and closed ({@code Connection: close}), which Kubernetes probes, Prometheus and browsers handle;
 * or, with a keep-alive time, GET and HEAD requests without a body keep their connection for the
 * next request (a browser's page and its refreshes, which over TLS would otherwise pay a handshake
 * each). Request bodies are read and ignored (a request with one closes its connection); a handler
 * may read the headers ({@link Request#header}). A request head of at most {@value #MAX_HEAD_BYTES}
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

        /** The same with the request's headers, for a handler that reads them (a login). */
        default Response answer(Request request) {
            return answer(request.method(), request.path());
        }

        /**
         * On an HTTPS port, whether {@code path} is answered to a client that speaks plain HTTP
         * (the agent's probe of {@code /readyz}): only what may be said to anyone in clear text.
         * Everything else gets a 400 that points to https://.
         */
        default boolean answersInPlainText(String path) {
            return false;
        }
    }

    /** A parsed request head: method, path and, on demand, its headers. */
    public static final class Request {
        private final String method;
        private final String path;
        private final String version;
        private final byte[] head;
        private final int end;
        private final InetAddress client;

        private Request(String method, String path, String version, byte[] head, int end, InetAddress client) {
            this.method = method;
            this.path = path;
            this.version = version;
            this.head = head;
            this.end = end;
            this.client = client;
        }

        /** For tests of handlers: a request with these headers ({@code "Name: value"} lines). */
        public static Request of(String method, String path, String... headers) {
            return from(null, method, path, headers);
        }

        /** For tests of handlers: a request from {@code client} with these headers. */
        public static Request from(InetAddress client, String method, String path, String... headers) {
            StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
            for (String h : headers) {
                sb.append(h).append("\r\n");
            }
            byte[] b = sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
            return new Request(method, path, "HTTP/1.1", b, b.length, client);
        }

        public String method() {
            return method;
        }

        public String path() {
            return path;
        }

        /** The client's address as the connection shows it, or null when unknown (a proxy in front is not looked through). */
        public InetAddress client() {
            return client;
        }

        /**
         * The value of the first header named {@code name} (any case), without surrounding blanks, or
         * null. Read from the head bytes on each call: a handler asks for one or two.
         */
        public String header(String name) {
            int i = 0;
            // skip the request line (and empty lines before it)
            while (i < end && (head[i] == '\r' || head[i] == '\n')) {
                i++;
            }
            while (i < end && head[i] != '\n') {
                i++;
            }
            i++;
            while (i < end) {
                int eol = i;
                while (eol < end && head[eol] != '\n') {
                    eol++;
                }
                int stop = eol > i && head[eol - 1] == '\r' ? eol - 1 : eol;
                if (stop == i) {
                    return null; // the empty line: end of the head
                }
                int colon = i;
                while (colon < stop && head[colon] != ':') {
                    colon++;
                }
                if (colon - i == name.length()
                        && new String(head, i, colon - i, StandardCharsets.ISO_8859_1).equalsIgnoreCase(name)) {
                    return new String(head, colon + 1, stop - colon - 1, StandardCharsets.ISO_8859_1).strip();
                }
                i = eol + 1;
            }
            return null;
        }

        /**
         * Whether the client may send another request on this connection: HTTP/1.1, GET or HEAD,
         * no body, no {@code Connection: close}.
         */
        boolean reusable() {
            if (!version.equals("HTTP/1.1") || !(method.equals("GET") || method.equals("HEAD"))) {
                return false;
            }
            String length = header("Content-Length");
            if (header("Transfer-Encoding") != null || (length != null && !length.equals("0"))) {
                return false;
            }
            String connection = header("Connection");
            if (connection != null) {
                for (String token : connection.split(",")) {
                    if (token.strip().equalsIgnoreCase("close")) {
                        return false;
                    }
                }
            }
            return true;
        }
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
    private final long keepAliveMs;

    /**
     * @param readTimeoutMs how long a request head may take (from connecting, or from its first byte
     *     on a kept connection)
     * @param keepAliveMs how long a connection waits for its next request; 0: one request per connection
     */
    public HttpProtocol(Handler handler, long readTimeoutMs, long keepAliveMs) {
        this.handler = handler;
        this.readTimeoutMs = readTimeoutMs;
        this.keepAliveMs = keepAliveMs;
    }

    public HttpProtocol(Handler handler, long readTimeoutMs) {
        this(handler, readTimeoutMs, 0);
    }

    public HttpProtocol(Handler handler) {
        this(handler, READ_TIMEOUT_MS);
    }

    /** The client's address, for {@link Request#client()} (a handler that logs or limits by it). */
    @Override
    public Object admit(SocketChannel channel) {
        try {
            return channel.getRemoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public long keepAliveMillis() {
        return keepAliveMs;
    }

    @Override
    public boolean keepAlive(byte[] request, int end) {
        if (keepAliveMs <= 0) {
            return false;
        }
        Request r = parse(request, end, null);
        return r != null && r.reusable();
    }

    @Override
    public byte[] plainTextAnswer(byte[] request, int end) {
        Request req = parse(request, end, null);
        if (req != null && handler.answersInPlainText(req.path())) {
            return answer(request, end, null, false);
        }
        return format(new Response(400, TEXT, "this port speaks HTTPS: use https://\n"), false, false);
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
            case TIMED_OUT -> format(new Response(408, TEXT, "no complete request within " + readTimeoutMs + " ms\n"), false, false);
            case TOO_LARGE -> format(new Response(431, TEXT, "request head larger than " + MAX_HEAD_BYTES + " bytes\n"), false, false);
            // nothing at all: a TCP connect check
            case CUT_SHORT -> received == 0 ? null : format(new Response(400, TEXT, "request cut short\n"), false, false);
            case BUSY -> format(new Response(503, TEXT, "busy; try again\n"), false, false);
        };
    }

    @Override
    public byte[] answer(byte[] request, int end, Object admitted) {
        return answer(request, end, admitted, keepAliveMs > 0);
    }

    private byte[] answer(byte[] request, int end, Object admitted, boolean mayKeep) {
        String line = requestLine(request, end);
        int sp1 = line.indexOf(' ');
        int sp2 = line.indexOf(' ', sp1 + 1);
        String version = sp2 < 0 ? "" : line.substring(sp2 + 1);
        if (sp1 <= 0 || sp2 < 0 || !isToken(line, 0, sp1) || !isVersion(version)) {
            return format(new Response(400, TEXT, "malformed request line; expected METHOD /path HTTP/1.1\n"), false, false);
        }
        if (version.charAt(5) != '1') {
            return format(new Response(505, TEXT, "HTTP/1.1 only\n"), false, false);
        }
        Request req = parse(request, end, admitted instanceof InetAddress a ? a : null);
        if (req == null) {
            return format(new Response(400, TEXT, "malformed request target; expected a path such as /livez\n"), false, false);
        }
        Response r;
        try {
            r = handler.answer(req);
        } catch (RuntimeException e) {
            r = new Response(500, TEXT, "internal error\n");
        }
        return format(r, "HEAD".equals(req.method()), mayKeep && req.reusable());
    }

    /** The request in {@code head[0, end)}, or null when its line or target is malformed or its version is not 1.x. */
    private static Request parse(byte[] head, int end, InetAddress client) {
        String line = requestLine(head, end);
        int sp1 = line.indexOf(' ');
        int sp2 = line.indexOf(' ', sp1 + 1);
        String version = sp2 < 0 ? "" : line.substring(sp2 + 1);
        if (sp1 <= 0 || sp2 < 0 || !isToken(line, 0, sp1) || !isVersion(version) || version.charAt(5) != '1') {
            return null;
        }
        String path = path(line.substring(sp1 + 1, sp2));
        return path == null ? null : new Request(line.substring(0, sp1), path, version, head, end, client);
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
    static byte[] format(Response r, boolean headOnly, boolean keepAlive) {
        StringBuilder h = new StringBuilder(192)
                .append("HTTP/1.1 ").append(r.code).append(' ').append(reason(r.code))
                .append("\r\nDate: ").append(HttpDate.format(System.currentTimeMillis()))
                .append("\r\nContent-Type: ").append(r.type)
                .append("\r\nCache-Control: no-store\r\n");
        for (Header x : r.headers) {
            h.append(x.name()).append(": ").append(x.value()).append("\r\n");
        }
        h.append("Content-Length: ").append(r.body.length)
                .append(keepAlive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n");
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
