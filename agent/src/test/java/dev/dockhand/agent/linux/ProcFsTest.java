package dev.dockhand.agent.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** /proc as the kernel writes it, laid out in jimfs; and the real one for this JVM. */
class ProcFsTest {
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final Path proc = fs.getPath("/proc");

    private void process(int pid, String stat, String cmdline, String... fds) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)).resolve("fd"));
        Files.writeString(dir.getParent().resolve("stat"), stat);
        Files.writeString(dir.getParent().resolve("cmdline"), cmdline);
        for (int i = 0; i < fds.length; i++) {
            Files.createSymbolicLink(dir.resolve(Integer.toString(i)), fs.getPath(fds[i]));
        }
    }

    private static String stat(int pid, String comm, String state, long start) {
        StringBuilder sb = new StringBuilder(pid + " (" + comm + ") " + state);
        for (int field = 4; field <= 21; field++) {
            sb.append(" 0");
        }
        return sb.append(' ').append(start).append(" 12345 678\n").toString();
    }

    @Test
    void startTimeIsField22EvenWhenTheCommandHasSpacesAndParentheses() throws Exception {
        process(42, stat(42, "my (odd) name", "S", 987654), "x");
        process(43, stat(43, "dead", "Z", 5), "");
        ProcFs p = new ProcFs(proc);
        assertEquals(OptionalLong.of(987654), p.startTime(42));
        assertEquals(OptionalLong.empty(), p.startTime(43), "a zombie is not alive");
        assertEquals(OptionalLong.empty(), p.startTime(44));
    }

    @Test
    void listenersOfAPortAreFoundThroughTheirSocketInodes() throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/tcp"), """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000:2384 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0
                   1: 0100007F:2384 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0 20 4 30 10 -1
                   2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0 100 0 0 10 0
                """);
        Files.writeString(proc.resolve("net/tcp6"), """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000000000000000000000000000:2384 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 444 1 0 100 0 0 10 0
                """);
        process(100, stat(100, "java", "S", 1), "java\0kafka.Kafka\0server.properties\0", "/dev/null", "socket:[111]");
        process(200, stat(200, "python3", "S", 2), "python3\0-m\0http.server\0", "socket:[333]");
        ProcFs p = new ProcFs(proc);
        List<ProcFs.Listener> on9092 = p.listeners(9092);
        assertEquals(new ProcFs.Listener(100, "java kafka.Kafka server.properties"), on9092.get(0));
        assertEquals(0, on9092.get(1).pid(), "the IPv6 listener's owner cannot be seen: " + on9092);
        assertEquals(List.of(new ProcFs.Listener(200, "python3 -m http.server")), p.listeners(8081));
        assertEquals(List.of(), p.listeners(2181));
    }

    @Test
    void theRealProcKnowsThisJvm() throws Exception {
        ProcFs p = ProcFs.system();
        int self = (int) ProcessHandle.current().pid();
        assertTrue(p.startTime(self).isPresent());
        assertTrue(p.commandLine(self).contains("java"), p.commandLine(self));
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            List<ProcFs.Listener> l = p.listeners(s.getLocalPort());
            assertEquals(self, l.get(0).pid(), l.toString());
        }
    }
}
