package dev.dockhand.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.FakeLinux;
import dev.dockhand.agent.linux.Spawned;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChildReaperTest {
    private final FakeLinux linux = new FakeLinux();

    private Spawned spawnSleep() {
        return linux.spawn(List.of("sleep", "1"), Map.of(), null, null, true);
    }

    @Test
    void orphansAreReapedButGivenToNoListener() throws Exception {
        List<String> told = new CopyOnWriteArrayList<>();
        CountDownLatch childDone = new CountDownLatch(1);
        try (ChildReaper reaper = new ChildReaper(linux)) {
            Spawned child = reaper.spawn(this::spawnSleep, (pid, s) -> {
                told.add(pid + " " + s);
                childDone.countDown();
            });
            linux.exit(9999, new ExitStatus.Exited(0)); // a grandchild re-parented to us
            linux.exitAndClose(child.pid(), new ExitStatus.Exited(4));
            assertTrue(childDone.await(5, TimeUnit.SECONDS));
            assertEquals(List.of(child.pid() + " exit code 4"), told);
            assertTrue(linux.calls.contains("reaped 9999"), linux.calls.toString());
            assertFalse(reaper.awaitStopped(Duration.ofMillis(1)), "still running until closed");
        }
    }

    @Test
    void idleReaperWakesForTheNextSpawn() throws Exception {
        try (ChildReaper reaper = new ChildReaper(linux)) {
            // Nothing spawned: await the reaper's ECHILD, after which it sleeps on its condition.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!linux.calls.contains("waitAny: no children")) {
                assertTrue(System.nanoTime() < deadline, "the reaper never found itself without children");
                Thread.sleep(5); // the reaper's own thread decides when; nothing to await on
            }
            CountDownLatch done = new CountDownLatch(1);
            Spawned child = reaper.spawn(this::spawnSleep, (pid, s) -> done.countDown());
            linux.exitAndClose(child.pid(), new ExitStatus.Exited(0));
            // Well under IDLE_RECHECK: the spawn itself woke the reaper.
            assertTrue(done.await(ChildReaper.IDLE_RECHECK.toMillis() / 2, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void closeStopsTheReaperOnceTheLastChildIsGone() throws Exception {
        ChildReaper reaper = new ChildReaper(linux);
        CountDownLatch done = new CountDownLatch(1);
        Spawned child = reaper.spawn(this::spawnSleep, (pid, s) -> done.countDown());
        reaper.close();
        assertFalse(reaper.awaitStopped(Duration.ofMillis(200)), "keeps reaping while a child lives");
        assertTrue(ChildReaper.waiting(linux));
        linux.exitAndClose(child.pid(), new ExitStatus.Exited(0));
        assertTrue(done.await(5, TimeUnit.SECONDS), "the last child's listener is still told");
        assertTrue(reaper.awaitStopped(Duration.ofSeconds(5)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ChildReaper.waiting(linux)) {
            assertTrue(System.nanoTime() < deadline, "the waiting thread ends with no handle open and no child left");
            Thread.sleep(10);
        }
    }

    /**
     * Two owners of children in one process (a launcher closed while an orphan lives on, and the next
     * one): every exit must still reach the listener of the pid, never be taken as an orphan's.
     */
    @Test
    void aSecondOwnerGetsEveryExitOfItsChildrenWhileTheFirstStillHasOne() throws Exception {
        ChildReaper first = new ChildReaper(linux);
        Spawned lingering = first.spawn(this::spawnSleep, (pid, s) -> { });
        first.close(); // its child lives on: reaping for it goes on
        int n = 40;
        CountDownLatch all = new CountDownLatch(n);
        try (ChildReaper second = new ChildReaper(linux)) {
            for (int i = 0; i < n; i++) {
                Spawned c = second.spawn(this::spawnSleep, (pid, s) -> all.countDown());
                linux.exitAndClose(c.pid(), new ExitStatus.Exited(0));
            }
            assertTrue(all.await(10, TimeUnit.SECONDS), "exits that never reached their listener: " + all.getCount()
                    + " (" + linux.calls.stream().filter(c -> c.startsWith("reaped")).count() + " reaped)");
        } finally {
            linux.exitAndClose(lingering.pid(), new ExitStatus.Exited(0));
        }
    }

    @Test
    void aThrowingListenerDoesNotStopReaping() throws Exception {
        try (ChildReaper reaper = new ChildReaper(linux)) {
            Spawned bad = reaper.spawn(this::spawnSleep, (pid, s) -> {
                throw new IllegalStateException("listener bug");
            });
            CountDownLatch done = new CountDownLatch(1);
            Spawned good = reaper.spawn(this::spawnSleep, (pid, s) -> done.countDown());
            linux.exitAndClose(bad.pid(), new ExitStatus.Exited(1));
            linux.exitAndClose(good.pid(), new ExitStatus.Exited(0));
            assertTrue(done.await(5, TimeUnit.SECONDS));
        }
    }
}
