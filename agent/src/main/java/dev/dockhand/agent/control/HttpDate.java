package dev.dockhand.agent.control;

/**
 * HTTP's Date header value (IMF-fixdate, RFC 9110 section 5.6.7: {@code Sun, 06 Nov 1994 08:49:37
 * GMT}) by arithmetic. A {@code DateTimeFormatter} would load the CLDR locale providers, calendars and
 * zone names (about 150 classes) into PID 1 for one header. The calendar arithmetic is the log's
 * ({@code log/UtcTimestamp}); this package does not import that one.
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
        long days = Math.floorDiv(epochMillis, 86_400_000L);
        long seconds = Math.floorMod(epochMillis, 86_400_000L) / 1000;
        // civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted)
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long day = doy - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder to = new StringBuilder(29);
        to.append(WEEKDAYS[(int) Math.floorMod(days, 7L)]).append(", ");
        pad(to, day, 2).append(' ').append(MONTHS[(int) month - 1]).append(' ');
        pad(to, year, 4).append(' ');
        pad(to, seconds / 3600, 2).append(':');
        pad(to, seconds / 60 % 60, 2).append(':');
        pad(to, seconds % 60, 2).append(" GMT");
        return to.toString();
    }

    private static StringBuilder pad(StringBuilder to, long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            to.append('0');
        }
        return to.append(digits);
    }
}
