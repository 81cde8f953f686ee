package dev.dockhand.agent.linux;

import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Copies JNA's native library for this machine out of the agent jar, for {@code image/agent-jvm.sh}:
 * {@code java -cp agent.jar dev.dockhand.agent.linux.JnaNativeExport DIR}. With
 * {@code -Djna.boot.library.path=DIR -Djna.nounpack=true} the agent then loads it from there instead of
 * unpacking it into a temp dir at every start (which fails on a read-only or noexec /tmp).
 * Exit 0 and the library's path on stdout; 1 when the jar has none for this platform.
 */
public final class JnaNativeExport {
    private JnaNativeExport() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java -cp agent.jar " + JnaNativeExport.class.getName() + " DIR");
            System.exit(2);
        }
        String name = "com/sun/jna/" + Platform.RESOURCE_PREFIX + "/libjnidispatch.so";
        try (InputStream in = JnaNativeExport.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                System.err.println("agent jar has no " + name);
                System.exit(1);
            }
            Path dir = Files.createDirectories(Path.of(args[0]));
            Path tmp = Files.createTempFile(dir, "libjnidispatch", ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Path target = dir.resolve("libjnidispatch.so");
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.out.println(target);
        }
    }
}
