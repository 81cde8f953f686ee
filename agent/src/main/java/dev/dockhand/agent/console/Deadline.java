package dev.dockhand.agent.console;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one point in time by which a whole overview must be collected. Every request of every source
 * gets the time left, so a dead broker or node costs at most the configured timeout, once.
 */
record Deadline(long atNanos) {

    static Deadline in(Duration d) {
        return new Deadline(System.nanoTime() + d.toNanos());
    }

    /**
     * Time left, rounded up (a timeout given the rounded-down value fires before the deadline), at least 1 ms so
     * that an API given it fails fast instead of waiting forever.
     */
    long remainingMillis() {
        return Math.max(1, (atNanos - System.nanoTime() + 999_999) / 1_000_000);
    }

    Duration remaining() {
        return Duration.ofMillis(remainingMillis());
    }

    boolean passed() {
        return System.nanoTime() - atNanos >= 0;
    }

    /** A short reason for a page cell: "timeout", "connection refused", "unknown host x", ... */
    static String reason(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException || t instanceof SocketTimeoutException
                || t instanceof HttpTimeoutException && !(t instanceof HttpConnectTimeoutException)
                || t.getClass().getSimpleName().equals("TimeoutException")) {
            return "timeout";
        }
        if (t instanceof HttpConnectTimeoutException) {
            return "timeout (connect)";
        }
        if (t instanceof ConnectException) {
            // The JDK's HttpClient reports a refused connection as a ConnectException without message.
            String m = t.getMessage();
            return m == null || m.isBlank() || m.toLowerCase().contains("refused") ? "connection refused" : m;
        }
        if (t instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (t instanceof UnknownHostException) {
            return "unknown host " + t.getMessage();
        }
        if (t instanceof InterruptedException) {
            return "interrupted";
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
