package dev.dockhand.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppliedRecordTest {
    @TempDir
    Path dir;

    @Test
    void writtenNamesReadBackAndOnlyTheOwnerCanReadThem() throws Exception {
        Path record = dir.resolve("kafka-access/applied-users");
        StringWriter err = new StringWriter();
        assertEquals(Set.of(), AppliedRecord.read(record, new PrintWriter(err)), "no record yet: none applied");
        AppliedRecord.write(record, List.of("app", "team-a.reader"));
        assertEquals(Set.of("app", "team-a.reader"), AppliedRecord.read(record, new PrintWriter(err)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(record)));
        AppliedRecord.write(record, List.of());
        assertEquals(Set.of(), AppliedRecord.read(record, new PrintWriter(err)));
        assertEquals("", err.toString());
    }

    @Test
    void aDamagedRecordRemovesNothingAndSaysSo() throws Exception {
        Path record = dir.resolve("applied-users");
        Files.writeString(record, "app\nCN=b-1.example\n");
        StringWriter err = new StringWriter();
        assertEquals(Set.of(), AppliedRecord.read(record, new PrintWriter(err, true)));
        assertTrue(err.toString().contains("not a user name") && err.toString().contains("no login is removed"), err.toString());
        Files.delete(record);
        Files.createDirectory(record);
        StringWriter err2 = new StringWriter();
        assertEquals(Set.of(), AppliedRecord.read(record, new PrintWriter(err2, true)));
        assertTrue(err2.toString().contains("not a regular file"), err2.toString());
    }
}
