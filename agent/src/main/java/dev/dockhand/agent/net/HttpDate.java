package dev.dockhand.agent.net;

import static dev.dockhand.agent.core.UtcDate.pad;

import dev.dockhand.agent.core.UtcDate;

/**
 * HTTP's Date header value (IMF-fixdate, RFC 9110 section 5.6.7: {@code Sun, 06 Nov 1994 08:49:37
 * GMT}) by arithmetic ({@link UtcDate}): a {@code DateTimeFormatter} would load the CLDR locale
 * providers, calendars and zone names (about 150 classes) into PID 1 for one header.
 */
final class HttpDate {
    /** By {@code floorMod(days since the epoch, 7)}: 1970-01-01 was a Thursday. */
    private static final String[] WEEKDAYS = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    private static final String[] MONTHS = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    };

    private HttpDate() {}

    /** {@code epochMillis} as IMF-fixdate, to the second (years 0000 to 9999). */
    static String format(long epochMillis) {
        UtcDate d = UtcDate.of(epochMillis);
        long seconds = d.millisOfDay() / 1000;
        StringBuilder to = new StringBuilder(29);
        to.append(WEEKDAYS[(int) Math.floorMod(d.epochDay(), 7L)]).append(", ");
        pad(to, d.day(), 2).append(' ').append(MONTHS[d.month() - 1]).append(' ');
        pad(to, d.year(), 4).append(' ');
        pad(to, seconds / 3600, 2).append(':');
        pad(to, seconds / 60 % 60, 2).append(':');
        pad(to, seconds % 60, 2).append(" GMT");
        return to.toString();
    }
}
