package dev.dockhand.agent.core;

/**
 * The UTC calendar fields of an instant, by arithmetic, for the agent's log timestamps and the HTTP
 * {@code Date} header: {@code java.time}'s formatters would load the JDK's locale providers,
 * calendars and zone names into PID 1 (about 150 classes) for two timestamps.
 *
 * @param epochDay days since 1970-01-01 (a Thursday)
 * @param year the year, 0000 to 9999 for the formats that use it
 * @param month 1 to 12
 * @param day 1 to 31
 * @param millisOfDay 0 to 86,399,999
 */
public record UtcDate(long epochDay, long year, int month, int day, long millisOfDay) {

    public static UtcDate of(long epochMillis) {
        long days = Math.floorDiv(epochMillis, 86_400_000L);
        // civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted)
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        return new UtcDate(days, year, month, day, Math.floorMod(epochMillis, 86_400_000L));
    }

    /** Appends {@code value} with leading zeros to {@code width} digits. */
    public static StringBuilder pad(StringBuilder to, long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            to.append('0');
        }
        return to.append(digits);
    }

    /**
     * {@code epochMillis} as {@code yyyy-MM-ddTHH:mm:ssZ}, as {@code Instant.toString()} writes a whole
     * second, without loading {@code java.time.format} (a secured node logs its certificate's dates).
     */
    public static String isoSeconds(long epochMillis) {
        UtcDate d = of(epochMillis);
        long s = d.millisOfDay() / 1000;
        StringBuilder b = new StringBuilder(20);
        pad(b, d.year(), 4).append('-');
        pad(b, d.month(), 2).append('-');
        pad(b, d.day(), 2).append('T');
        pad(b, s / 3600, 2).append(':');
        pad(b, s / 60 % 60, 2).append(':');
        return pad(b, s % 60, 2).append('Z').toString();
    }
}
