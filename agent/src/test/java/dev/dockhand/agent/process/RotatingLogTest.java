package dev.dockhand.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RotatingLogTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rotatesToDotOneWhenTheNextLineWouldPassTheCap() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path file = fs.getPath("/var/log/dockhand/kafka.log");
            try (RotatingLog log = new RotatingLog(file, 10)) {
                log.append(b("1234")); // 5 bytes
                log.append(b("5678")); // 10 bytes: exactly the cap, no rotation
                assertFalse(Files.exists(file.resolveSibling("kafka.log.1")));
                log.append(b("abc")); // would be 14: rotate first
                assertEquals("1234\n5678\n", Files.readString(file.resolveSibling("kafka.log.1")));
                assertEquals("abc\n", Files.readString(file));
                log.append(b("defghij")); // 4 + 8 = 12 > 10: rotate again, .1 replaced
                assertEquals("abc\n", Files.readString(file.resolveSibling("kafka.log.1")));
                assertEquals("defghij\n", Files.readString(file));
            }
        }
    }

    @Test
    void appendsToAnExistingFileAndCountsItsSize() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path file = fs.getPath("/svc.log");
            Files.writeString(file, "old line\n"); // 9 bytes
            try (RotatingLog log = new RotatingLog(file, 12)) {
                log.append(b("new")); // 9 + 4 = 13 > 12: rotate
            }
            assertEquals("old line\n", Files.readString(fs.getPath("/svc.log.1")));
            assertEquals("new\n", Files.readString(file));
        }
    }

    @Test
    void aLineLargerThanTheCapStillGetsWritten() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path file = fs.getPath("/svc.log");
            try (RotatingLog log = new RotatingLog(file, 4)) {
                log.append(b("0123456789"));
            }
            assertEquals("0123456789\n", Files.readString(file));
        }
    }

    @Test
    void zeroMeansNoCap() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path file = fs.getPath("/svc.log");
            try (RotatingLog log = new RotatingLog(file, 0)) {
                for (int i = 0; i < 100; i++) {
                    log.append(b("line " + i));
                }
            }
            assertEquals(100, Files.readAllLines(file).size());
            assertFalse(Files.exists(fs.getPath("/svc.log.1")));
        }
    }
}
