package dev.dockhand.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.security.Users;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first format's users: every mechanism for every user, built in memory, and Kafka's printout of them left out. */
class StorageFormatTest {
    @TempDir
    Path dir;

    @Test
    void everyUserGetsBothMechanismsInArgumentsKafkasParserTakesAsOneWordEach() throws IOException {
        Path f = dir.resolve("users");
        Files.writeString(f, "app:app-Secret.1;(x)\nops:ops-secret-1:admin\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        List<String> problems = new ArrayList<>();
        Users users = Users.read(f, "test", problems);
        assertEquals(List.of(), problems);
        assertEquals(List.of("--add-scram", "SCRAM-SHA-512=[name=app,password=app-Secret.1;(x)]", "--add-scram",
                "SCRAM-SHA-256=[name=app,password=app-Secret.1;(x)]", "--add-scram", "SCRAM-SHA-512=[name=ops,password=ops-secret-1]",
                "--add-scram", "SCRAM-SHA-256=[name=ops,password=ops-secret-1]"), StorageFormat.scramArguments(users));
        // Kafka splits the brackets' content at ',' and each part at its first '=': a password holds neither (Users)
        for (Users.User u : users.all()) {
            assertFalse(u.password().contains(",") || u.password().contains("=") || u.password().contains("]") || u.password().contains("\""));
        }
        assertEquals("Failed to find equals sign in SCRAM argument '***'", StorageFormat.masked(
                "Failed to find equals sign in SCRAM argument 'app-Secret.1;(x)'", List.of("app-Secret.1;(x)")));
    }

    @Test
    void theLinesOfKafkasOutputThatHoldScramRecordsAreLeftOutAndTheOthersPass() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream out = SecretLineFilter.around(new PrintStream(sink, true, StandardCharsets.UTF_8));
        out.println("Bootstrap metadata: BootstrapMetadata(records=[ApiMessageAndVersion(UserScramCredentialRecord(name='app', "
                + "mechanism=2, salt=[49, 56], storedKey=[51, -123], serverKey=[89, -93], iterations=4096) at version 0)])");
        out.print("Formatting dynamic metadata voter directory /data/kafka/metadata with metadata.version 4.4-IV2.\n");
        out.print("a last line without its end");
        out.close();
        String shown = sink.toString(StandardCharsets.UTF_8);
        assertEquals(SecretLineFilter.LEFT_OUT + "\nFormatting dynamic metadata voter directory /data/kafka/metadata with metadata.version "
                + "4.4-IV2.\na last line without its end\n", shown);
        assertTrue(SecretLineFilter.MARKERS.stream().noneMatch(m -> shown.contains(m)));
    }
}
