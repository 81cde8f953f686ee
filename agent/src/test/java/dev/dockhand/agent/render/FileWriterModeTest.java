package dev.dockhand.agent.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File modes need a real file system: jimfs does not enforce or keep them faithfully. */
class FileWriterModeTest {
    @TempDir
    Path dir;

    @Test
    void anExistingFileKeepsItsModeAndANewOneTakesItsTemplates() throws Exception {
        Path template = Files.writeString(dir.resolve("start.sh.template"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(template, PosixFilePermissions.fromString("rwxr-x---"));
        Path fresh = dir.resolve("out/start.sh");
        FileWriter.write(List.of(new RenderPlan.RenderedFile("svc", fresh, template, "#!/bin/sh\necho 1\n", false)));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));

        Path existing = Files.writeString(dir.resolve("out/app.properties"), "a=1\n");
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-r-----"));
        FileWriter.write(List.of(new RenderPlan.RenderedFile("svc", existing, template, "a=2\n", false)));
        assertEquals("a=2\n", Files.readString(existing));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(existing)));
    }
}
