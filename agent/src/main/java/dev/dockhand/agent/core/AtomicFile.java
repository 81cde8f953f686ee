package dev.dockhand.agent.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** A file replaced whole or not at all, with its permissions from the first byte. */
public final class AtomicFile {
    private AtomicFile() {}

    /**
     * Writes {@code text} (UTF-8) to a temporary file beside {@code file}, created with {@code permissions} (e.g.
     * {@code rw-------}: a secret is never readable by others, not even while it is written), then renames it over
     * {@code file}: a reader sees the old content or the new, never a part.
     */
    public static void replace(Path file, String text, String permissions) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
        Files.writeString(tmp, text, StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
