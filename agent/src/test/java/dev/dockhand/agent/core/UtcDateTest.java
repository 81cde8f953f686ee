package dev.dockhand.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class UtcDateTest {
    @Test
    void isoSecondsWritesAWholeSecondAsInstantDoes() {
        long[] samples = {0, 951_782_400_000L, 951_868_799_000L, 1_798_761_599_000L, 4_107_542_399_000L, 253_402_300_799_000L};
        for (long ms : samples) {
            assertEquals(Instant.ofEpochMilli(ms).toString(), UtcDate.isoSeconds(ms), "epoch ms " + ms);
        }
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            long ms = Math.abs(random.nextLong() % 253_402_300_799_999L);
            // a certificate's dates are whole seconds; a fraction is dropped, not rounded
            assertEquals(Instant.ofEpochMilli(ms).truncatedTo(ChronoUnit.SECONDS).toString(), UtcDate.isoSeconds(ms), "epoch ms " + ms);
        }
    }
}
