package dev.dockhand.users;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Refused logins, logged and limited per source, the same for every component that checks logins over
 * HTTP (the console, the schema registry). Each source (a client address; an IPv6 address by its /64,
 * which one client holds whole) has a token bucket of {@link #BURST} failures, refilled by one every
 * {@link #REFILL_NANOS}: a user who mistypes a few times is never held up, a source that keeps guessing
 * gets one guess per refill period, and other sources are not touched. While a source's bucket is
 * empty, its logins are answered "too many" (429 with {@code Retry-After}) before any password is
 * checked, a correct one included (else the answer to a right guess would differ from a wrong one's),
 * and without the cost of a hash.
 *
 * <p>Bounded: at most {@link #SOURCES} sources are kept, the one that failed least recently forgotten
 * first. The user name is not part of the key, so an attacker who sprays names from one source neither
 * grows the table nor gets a fresh budget per name; only a failure adds an entry. An attacker with
 * more addresses than the table holds can push entries out, but has that many budgets anyway.
 *
 * <p>Each refused login is one log line (user name and source; never the password, which never reaches
 * this class) while its source is under the limit; the failure that empties the bucket says so once, and
 * the logins refused while limited are not logged one by one (counted into the next line instead), so
 * that a flood cannot fill the log. A user name that is not a valid one ({@link HashedUsers#NAME}) is
 * logged quoted, escaped and cut short: it cannot start a line of its own or pass for another field.
 */
public final class FailedLogins {
    public static final int SOURCES = 4096;
    public static final int BURST = 10;
    public static final long REFILL_NANOS = TimeUnit.SECONDS.toNanos(6);
    /** The longest name logged as it came (escaped), in characters. */
    static final int MAX_LOGGED_NAME = 64;

    private final int sources;
    private final int burst;
    private final long refillNanos;
    /** A full bucket's credit: {@code burst} refill periods. */
    private final long capacity;
    private final LongSupplier nanos;
    private final Consumer<String> log;
    private final Map<String, Bucket> buckets;

    /**
     * A source's failures: its credit as of {@code at}, in nanoseconds (a failure costs one refill period,
     * whole numbers so that a wait comes out exact), and the refusals not logged since it emptied.
     */
    private static final class Bucket {
        long credit;
        long at;
        long unlogged;
    }

    /** As shipped: {@link #SOURCES} sources, {@link #BURST} failures, one more every {@link #REFILL_NANOS}. */
    public FailedLogins(LongSupplier nanos, Consumer<String> log) {
        this(SOURCES, BURST, REFILL_NANOS, nanos, log);
    }

    public FailedLogins(int sources, int burst, long refillNanos, LongSupplier nanos, Consumer<String> log) {
        if (sources < 1 || burst < 1 || refillNanos < 1) {
            throw new IllegalArgumentException("sources " + sources + ", burst " + burst + ", refill " + refillNanos);
        }
        this.sources = sources;
        this.burst = burst;
        this.refillNanos = refillNanos;
        this.capacity = Math.multiplyExact(burst, refillNanos);
        this.nanos = nanos;
        this.log = log;
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > FailedLogins.this.sources;
            }
        };
    }

    /**
     * 0 when a login from {@code source} may be checked now; else the whole seconds (1 or more) until it
     * may, for {@code Retry-After}, and the refusal is counted for the next log line.
     */
    public synchronized long retryAfterSeconds(InetAddress source) {
        Bucket b = buckets.get(key(source));
        if (b == null) {
            return 0;
        }
        refill(b);
        if (b.credit >= refillNanos) {
            return 0;
        }
        b.unlogged++;
        long wait = refillNanos - b.credit;
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + TimeUnit.SECONDS.toNanos(1) - 1));
    }

    /**
     * Records a refused login from {@code source} as {@code name} ({@code null}: no name could be read),
     * and logs it: {@code why} says what was wrong, in words that hold no secret.
     */
    public void refused(InetAddress source, String name, String why) {
        String line;
        synchronized (this) {
            String key = key(source);
            Bucket b = buckets.get(key);
            if (b == null) {
                b = new Bucket();
                b.credit = capacity;
                b.at = nanos.getAsLong();
                buckets.put(key, b);
            }
            refill(b);
            b.credit = Math.max(0, b.credit - refillNanos);
            StringBuilder sb = new StringBuilder("login refused: user ").append(loggable(name)).append(" from ")
                    .append(source == null ? "an unknown address" : source.getHostAddress()).append(": ").append(why);
            if (b.unlogged > 0) {
                sb.append(" (and ").append(b.unlogged).append(" logins from it answered 429 since the last line)");
                b.unlogged = 0;
            }
            if (b.credit < refillNanos) {
                sb.append("; ").append(burst).append(" or more refused from ").append(key)
                        .append(": its logins are answered 429 for ").append(TimeUnit.NANOSECONDS.toSeconds(refillNanos))
                        .append(" s per refusal from now on");
            }
            line = sb.toString();
        }
        log.accept(line);
    }

    /** Sources kept now (for tests). */
    public synchronized int size() {
        return buckets.size();
    }

    private void refill(Bucket b) {
        long now = nanos.getAsLong();
        long elapsed = now - b.at;
        if (elapsed > 0) {
            b.credit = Math.min(capacity, b.credit + elapsed);
            b.at = now;
        }
    }

    /** The source's key: an IPv4 address whole, an IPv6 address by its /64 (a client holds the whole /64). */
    static String key(InetAddress source) {
        if (source == null) {
            return "unknown";
        }
        if (source instanceof Inet6Address) {
            byte[] a = source.getAddress();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                sb.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
            }
            return sb.append(":/64").toString();
        }
        return source.getHostAddress();
    }

    /**
     * {@code name} as it may go into a log line: as it is when it is a valid user name; otherwise in
     * quotes, every character outside printable ASCII (line ends, control characters, the rest of
     * Unicode), quotes and backslashes escaped ({@code \xNN}, or a backslash, u and four hex digits), at most
     * {@link #MAX_LOGGED_NAME} characters of it, and marked as not a user name.
     */
    public static String loggable(String name) {
        if (name == null) {
            return "(none: the request's login is not HTTP Basic)";
        }
        if (HashedUsers.NAME.matcher(name).matches()) {
            return name;
        }
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(name.length(), MAX_LOGGED_NAME);
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append(c);
            } else if (c < 0x100) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        sb.append('"');
        if (name.length() > MAX_LOGGED_NAME) {
            sb.append("... (").append(name.length()).append(" characters)");
        }
        return sb.append(" (not a valid user name)").toString();
    }
}
