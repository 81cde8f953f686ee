package dev.dockhand.agent.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HttpDateTest {
    /** IMF-fixdate: the JDK's RFC_1123_DATE_TIME, except that the day always has two digits. */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    @Test
    void fixedInstantsAsTheRfcWritesThem() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(784_111_777_000L)); // RFC 9110's own example
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", HttpDate.format(0));
        assertEquals("Wed, 31 Dec 1969 23:59:59 GMT", HttpDate.format(-1));
        assertEquals("Tue, 29 Feb 2000 23:59:59 GMT", HttpDate.format(951_868_799_999L));
        assertEquals("Fri, 31 Dec 9999 23:59:59 GMT", HttpDate.format(253_402_300_799_999L));
    }

    @Test
    void matchesTheJdksRfc1123FormatWithTwoDigitDays() {
        long[] samples = {0, -1, 784_111_777_000L, 951_782_400_000L, 951_868_799_999L, 1_795_650_234_102L,
            1_798_848_000_000L /* 2027-01-02 */, 4_107_542_399_999L, 253_402_300_799_999L, -30_610_224_000_000L /* 1000 */};
        for (long ms : samples) {
            check(ms);
        }
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            check(-30_610_224_000_000L + Math.floorMod(random.nextLong(), 253_402_300_800_000L + 30_610_224_000_000L));
        }
    }

    private static void check(long ms) {
        Instant t = Instant.ofEpochMilli(ms);
        String ours = HttpDate.format(ms);
        assertEquals(IMF_FIXDATE.format(t), ours, "epoch ms " + ms);
        // RFC_1123_DATE_TIME writes "2 Jan" where IMF-fixdate writes "02 Jan"
        String rfc1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC).format(t);
        assertEquals(rfc1123.replaceFirst("^(\\w{3}), (\\d) ", "$1, 0$2 "), ours, "epoch ms " + ms);
    }
}
