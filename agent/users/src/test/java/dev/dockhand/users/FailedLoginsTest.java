package dev.dockhand.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailedLoginsTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<String> log = new ArrayList<>();

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private FailedLogins shipped() {
        return new FailedLogins(clock::get, log::add);
    }

    @Test
    void aSourceThatKeepsFailingIsLimitedAndOthersAreNot() {
        FailedLogins f = shipped();
        InetAddress attacker = ip("10.0.0.5");
        for (int i = 0; i < FailedLogins.BURST; i++) {
            assertEquals(0, f.retryAfterSeconds(attacker), "failure " + i + " is still under the burst");
            f.refused(attacker, "alice", "wrong password or unknown user");
        }
        assertEquals(6, f.retryAfterSeconds(attacker), "an empty bucket: one more login in one refill period");
        assertEquals(0, f.retryAfterSeconds(ip("10.0.0.6")), "another address is not touched");
        assertEquals("login refused: user alice from 10.0.0.5: wrong password or unknown user", log.get(0));
        assertTrue(log.get(FailedLogins.BURST - 1).endsWith(
                "; 10 or more refused from 10.0.0.5: its logins are answered 429 for 6 s per refusal from now on"),
                log.get(FailedLogins.BURST - 1));
        assertEquals(FailedLogins.BURST, log.size(), "one line per refusal under the limit");
    }

    @Test
    void theBucketRefillsOnePerPeriodAndTheRetryAfterShrinks() {
        FailedLogins f = shipped();
        InetAddress a = ip("192.0.2.1");
        for (int i = 0; i < FailedLogins.BURST; i++) {
            f.refused(a, "bob", "x");
        }
        clock.addAndGet(TimeUnit.SECONDS.toNanos(4));
        assertEquals(2, f.retryAfterSeconds(a));
        clock.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertEquals(0, f.retryAfterSeconds(a), "one refill period later: one more try");
        f.refused(a, "bob", "x");
        assertEquals(6, f.retryAfterSeconds(a), "and after it fails, the next waits a full period again");
        clock.addAndGet(FailedLogins.BURST * FailedLogins.REFILL_NANOS);
        for (int i = 0; i < FailedLogins.BURST; i++) {
            assertEquals(0, f.retryAfterSeconds(a), "a full burst again after burst * period: " + i);
            f.refused(a, "bob", "x");
        }
        assertTrue(f.retryAfterSeconds(a) > 0, "but never more than the burst");
    }

    @Test
    void refusalsWhileLimitedAreCountedIntoTheNextLineNotLoggedOneByOne() {
        FailedLogins f = shipped();
        InetAddress a = ip("192.0.2.2");
        for (int i = 0; i < FailedLogins.BURST; i++) {
            f.refused(a, "bob", "x");
        }
        int lines = log.size();
        for (int i = 0; i < 1000; i++) {
            assertTrue(f.retryAfterSeconds(a) > 0);
        }
        assertEquals(lines, log.size(), "a flood of limited logins adds no line");
        clock.addAndGet(FailedLogins.REFILL_NANOS);
        assertEquals(0, f.retryAfterSeconds(a));
        f.refused(a, "bob", "x");
        assertTrue(log.get(log.size() - 1).contains("(and 1000 logins from it answered 429 since the last line)"),
                log.get(log.size() - 1));
    }

    @Test
    void sprayingNamesNeitherGrowsTheTableNorResetsTheBudget() {
        FailedLogins f = shipped();
        InetAddress a = ip("198.51.100.7");
        for (int i = 0; i < FailedLogins.BURST; i++) {
            f.refused(a, "user" + i, "x");
        }
        assertEquals(1, f.size());
        assertTrue(f.retryAfterSeconds(a) > 0, "a new name from the same source gets no fresh budget");
    }

    @Test
    void theTableHasAFixedSizeAndForgetsTheLeastRecentSourceFirst() {
        FailedLogins f = new FailedLogins(3, 2, FailedLogins.REFILL_NANOS, clock::get, log::add);
        f.refused(ip("10.1.0.1"), "a", "x");
        f.refused(ip("10.1.0.1"), "a", "x");
        assertTrue(f.retryAfterSeconds(ip("10.1.0.1")) > 0);
        for (int i = 2; i <= 20; i++) {
            f.refused(ip("10.1.0." + i), "a", "x");
            assertTrue(f.size() <= 3);
        }
        assertEquals(3, f.size());
        assertEquals(0, f.retryAfterSeconds(ip("10.1.0.1")), "pushed out by 19 later sources");
        assertTrue(f.retryAfterSeconds(ip("10.1.0.20")) == 0, "one failure of two");
    }

    @Test
    void anIpv6SourceIsItsSlash64() {
        FailedLogins f = shipped();
        for (int i = 0; i < FailedLogins.BURST; i++) {
            f.refused(ip("2001:db8:1:2::" + Integer.toHexString(i + 1)), "bob", "x");
        }
        assertTrue(f.retryAfterSeconds(ip("2001:db8:1:2:ffff::9")) > 0, "another address of the same /64");
        assertEquals(0, f.retryAfterSeconds(ip("2001:db8:1:3::1")), "another /64");
        assertEquals("2001:db8:1:2::/64", FailedLogins.key(ip("2001:db8:1:2::5")));
    }

    @Test
    void aHostileNameCannotForgeALogLine() {
        FailedLogins f = shipped();
        f.refused(ip("10.0.0.9"), "x\r\nlogin refused: user admin from 10.0.0.1: \"ok\"\u2028\\", "wrong password or unknown user");
        String line = log.get(0);
        assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u2028"), line);
        assertEquals("login refused: user \"x\\x0d\\x0alogin refused: user admin from 10.0.0.1: \\x22ok\\x22\\u2028\\x5c\""
                + " (not a valid user name) from 10.0.0.9: wrong password or unknown user", line);
        String longName = "a".repeat(70) + "\u0000";
        assertEquals("\"" + "a".repeat(64) + "\"... (71 characters) (not a valid user name)", FailedLogins.loggable(longName));
        assertEquals("alice.b_c-d", FailedLogins.loggable("alice.b_c-d"));
        assertTrue(FailedLogins.loggable(null).startsWith("(none"));
    }
}
