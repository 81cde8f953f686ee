package dev.dockhand.agent.render;

import dev.dockhand.agent.InvalidInputException;
import dev.dockhand.agent.render.RenderPlan.RenderedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes rendered files atomically: each to a temp file in the target's directory, then renamed over
 * the target, so a reader sees the old file or the new one, never half of one. All temp files are
 * written before the first rename, so a failure (disk full, permission) leaves every previous file
 * as it was. An unchanged file is not rewritten. An existing file keeps its mode and owner; a new
 * one gets its template's mode.
 */
public final class FileWriter {
    private FileWriter() {}

    /** A file the render considered, and whether its content changed. */
    public record Written(String service, Path path, boolean changed) {}

    public static List<Written> write(List<RenderedFile> files) {
        // target -> its staged temp file (keyed by Path, not by the record: a record's hashCode is
        // bootstrapped through method handles at first use, start-up time PID 1 need not spend)
        Map<Path, Path> staged = new LinkedHashMap<>();
        List<Written> out = new ArrayList<>();
        try {
            for (RenderedFile f : files) {
                boolean same = Files.isRegularFile(f.target())
                        && Files.readString(f.target(), StandardCharsets.UTF_8).equals(f.content());
                out.add(new Written(f.service(), f.target(), !same));
                if (same) {
                    continue;
                }
                Path dir = f.target().getParent();
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, "." + f.target().getFileName() + ".", ".tmp");
                staged.put(f.target(), tmp);
                Files.writeString(tmp, f.content(), StandardCharsets.UTF_8);
                copyModeAndOwner(Files.exists(f.target()) ? f.target() : f.template(), tmp, Files.exists(f.target()));
            }
            for (var e : staged.entrySet()) {
                Files.move(e.getValue(), e.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return out;
        } catch (IOException e) {
            for (Path tmp : staged.values()) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the previous files are intact either way
                }
            }
            throw new InvalidInputException(describe(e));
        }
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException ade) {
            return "cannot write " + ade.getFile() + ": permission denied; run the agent as a user that can write there "
                    + "(in the image: user dockhand owns /var/lib/dockhand) or choose another --out / --data-dir";
        }
        if (e instanceof FileAlreadyExistsException fae) {
            return "cannot create directory " + fae.getFile() + ": a file of that name is in the way";
        }
        if (e instanceof FileSystemException fse) {
            return "cannot write " + fse.getFile() + ": " + (fse.getReason() == null ? fse.getClass().getSimpleName() : fse.getReason());
        }
        return "cannot write the rendered files: " + e;
    }

    private static void copyModeAndOwner(Path from, Path to, boolean owner) throws IOException {
        PosixFileAttributeView src = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        PosixFileAttributeView dst = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (src == null || dst == null || !Files.exists(from)) {
            return;
        }
        PosixFileAttributes a = src.readAttributes();
        dst.setPermissions(a.permissions());
        if (owner) {
            try {
                dst.setOwner(a.owner());
                dst.setGroup(a.group());
            } catch (IOException | UnsupportedOperationException e) {
                // only root may give a file away; the mode is kept either way
            }
        }
    }
}
