package dev.dockhand.agent.log;

/** ISO-8601 UTC timestamps with milliseconds, by arithmetic: no calendar, locale or zone classes. */
final class UtcTimestamp {
    private UtcTimestamp() {}

    /** Appends {@code epochMillis} as {@code yyyy-MM-ddTHH:mm:ss.SSSZ} (years 0000 to 9999). */
    static void append(StringBuilder to, long epochMillis) {
        long days = Math.floorDiv(epochMillis, 86_400_000L);
        long ms = Math.floorMod(epochMillis, 86_400_000L);
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
        pad(to, year, 4).append('-');
        pad(to, month, 2).append('-');
        pad(to, day, 2).append('T');
        pad(to, ms / 3_600_000, 2).append(':');
        pad(to, ms / 60_000 % 60, 2).append(':');
        pad(to, ms / 1000 % 60, 2).append('.');
        pad(to, ms % 1000, 3).append('Z');
    }

    private static StringBuilder pad(StringBuilder to, long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            to.append('0');
        }
        return to.append(digits);
    }
}
