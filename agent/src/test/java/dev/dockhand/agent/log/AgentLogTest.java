package dev.dockhand.agent.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

class AgentLogTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong(Instant.parse("2026-11-25T22:53:54.365Z").toEpochMilli());
    private final AgentLog log = new AgentLog(Level.INFO, now::get, new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String out() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneLineWithUtcTimeLevelShortNameAndFormattedMessage() {
        log.getLogger("dev.dockhand.agent.supervise").info("{}: {} -> {}", "kafka-broker", "STARTING", "READY");
        assertEquals("2026-11-25T22:53:54.365Z INFO supervise - kafka-broker: STARTING -> READY\n", out());
    }

    @Test
    void belowTheLevelNothingIsWritten() {
        Logger logger = log.getLogger("x.y");
        logger.debug("hidden {}", 1);
        assertFalse(logger.isDebugEnabled());
        assertEquals("", out());
    }

    @Test
    void theMostSpecificPrefixWinsAndAppliesToLoggersMadeBefore() {
        Logger client = log.getLogger("org.apache.kafka.clients.NetworkClient");
        Logger admin = log.getLogger("org.apache.kafka.clients.admin.KafkaAdminClient");
        Logger other = log.getLogger("org.apache.kafkaesque");
        log.setLevel("org.apache.kafka", Level.WARN);
        log.setLevel("org.apache.kafka.clients.NetworkClient", Level.ERROR);
        assertFalse(admin.isInfoEnabled());
        assertTrue(admin.isWarnEnabled());
        assertFalse(client.isWarnEnabled());
        assertTrue(client.isErrorEnabled());
        assertTrue(other.isInfoEnabled(), "a prefix matches whole name segments only");
    }

    @Test
    void aThrowableFollowsItsLineWithItsStackTrace() {
        log.getLogger("agent").warn("probe failed", new IllegalStateException("boom"));
        String[] lines = out().split("\n");
        assertEquals("2026-11-25T22:53:54.365Z WARN agent - probe failed", lines[0]);
        assertEquals("java.lang.IllegalStateException: boom", lines[1]);
        assertTrue(lines[2].strip().startsWith("at "), lines[2]);
    }

    @Test
    void levelsFromTheEnvironment() {
        log.configure(" debug , org.apache.kafka=warn,org.apache.kafka.clients.NetworkClient=ERROR");
        assertTrue(log.getLogger("dev.dockhand.agent").isDebugEnabled());
        assertFalse(log.getLogger("org.apache.kafka.clients.admin.KafkaAdminClient").isInfoEnabled());
        assertTrue(log.getLogger("org.apache.kafka.clients.admin.KafkaAdminClient").isWarnEnabled());
        assertFalse(log.getLogger("org.apache.kafka.clients.NetworkClient").isWarnEnabled());
        assertEquals("", out());
    }

    @Test
    void aPartThatNamesNoLevelIsSkippedWithAWarningAndTheRestApplies() {
        log.configure("verbose,x=debug");
        assertTrue(log.getLogger("x.y").isDebugEnabled());
        assertFalse(log.getLogger("other").isDebugEnabled(), "the default stays info");
        assertEquals("2026-11-25T22:53:54.365Z WARN agent - AGENT_LOG_LEVEL: 'verbose' names no level"
                + " (error, warn, info, debug, trace); ignored\n", out());
    }

    @Test
    void timestampsMatchTheJdkAcrossCenturiesLeapDaysAndTheEpoch() {
        DateTimeFormatter iso = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        long[] samples = {0, -1, 951_782_400_000L, 951_868_799_999L, 4_107_542_399_999L, 253_402_300_799_999L, -62_135_596_800_000L};
        for (long ms : samples) {
            StringBuilder b = new StringBuilder();
            UtcTimestamp.append(b, ms);
            assertEquals(iso.format(Instant.ofEpochMilli(ms)), b.toString(), "epoch ms " + ms);
        }
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            long ms = random.nextLong() % 253_402_300_799_999L;
            ms = Math.abs(ms);
            StringBuilder b = new StringBuilder();
            UtcTimestamp.append(b, ms);
            assertEquals(iso.format(Instant.ofEpochMilli(ms)), b.toString(), "epoch ms " + ms);
        }
    }

    @Test
    void everyMessageIsOneLineWithItsControlCharactersEscaped() {
        // a value an attacker chose (a command's name, a file's) can neither forge a log line nor rewrite the terminal
        log.getLogger("x.y").warn("cannot run '{}'", "a\n2026-01-01T00:00:00.000Z INFO forged\u001b[2J\r\u0085\u009b2J");
        assertEquals("1970-01-01T00:00:00.000Z WARN y - cannot run 'a\\n2026-01-01T00:00:00.000Z INFO forged\\u001b[2J\\r\\u0085"
                + "\\u009b2J'\n", out().replaceFirst("^\\S+", "1970-01-01T00:00:00.000Z"));
    }
}
