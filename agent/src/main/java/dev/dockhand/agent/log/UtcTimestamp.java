package dev.dockhand.agent.log;

import static dev.dockhand.agent.core.UtcDate.pad;

import dev.dockhand.agent.core.UtcDate;

/** ISO-8601 UTC timestamps with milliseconds, by arithmetic: no calendar, locale or zone classes. */
final class UtcTimestamp {
    private UtcTimestamp() {}

    /** Appends {@code epochMillis} as {@code yyyy-MM-ddTHH:mm:ss.SSSZ} (years 0000 to 9999). */
    static void append(StringBuilder to, long epochMillis) {
        UtcDate d = UtcDate.of(epochMillis);
        long ms = d.millisOfDay();
        pad(to, d.year(), 4).append('-');
        pad(to, d.month(), 2).append('-');
        pad(to, d.day(), 2).append('T');
        pad(to, ms / 3_600_000, 2).append(':');
        pad(to, ms / 60_000 % 60, 2).append(':');
        pad(to, ms / 1000 % 60, 2).append('.');
        pad(to, ms % 1000, 3).append('Z');
    }
}
