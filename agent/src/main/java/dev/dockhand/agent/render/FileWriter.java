package dev.dockhand.agent.render;

import dev.dockhand.agent.core.InvalidInputException;
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
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes rendered files atomically: each to a temp file in the target's directory, then renamed over
 * the target, so a reader sees the old file or the new one, never half of one. All temp files are
 * written before the first rename, so a failure (disk full, permission) leaves every previous file
 * as it was. An unchanged file is not rewritten. An existing file keeps its mode and owner; a new
 * one gets its template's mode. A file that holds a secret is made 0600 whatever it was, and its
 * directory loses every permission for others: no other uid on the node reads a password.
 * Directories the writer creates are 0750.
 */
public final class FileWriter {
    private FileWriter() {}

    /** A file the render considered, and whether its content changed. */
    public record Written(String service, Path path, boolean changed) {}

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-x---");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Set<PosixFilePermission> SECRET_MODE = PosixFilePermissions.fromString("rw-------");

    public static List<Written> write(List<RenderedFile> files) {
        // target -> its staged temp file (keyed by Path, not by the record: a record's hashCode is
        // bootstrapped through method handles at first use, start-up time PID 1 need not spend)
        Map<Path, Path> staged = new LinkedHashMap<>();
        List<Written> out = new ArrayList<>();
        Path current = null;
        try {
            for (RenderedFile f : files) {
                current = f.target();
                boolean same = Files.isRegularFile(f.target())
                        && Files.readString(f.target(), StandardCharsets.UTF_8).equals(f.content());
                if (f.secret()) {
                    keepFromOthers(f.target().getParent());
                }
                if (same && (!f.secret() || modeIs(f.target(), SECRET_MODE))) {
                    out.add(new Written(f.service(), f.target(), false));
                    continue;
                }
                out.add(new Written(f.service(), f.target(), !same));
                Path dir = f.target().getParent();
                createDirectories(dir);
                Path tmp = Files.createTempFile(dir, "." + f.target().getFileName() + ".", ".tmp");
                staged.put(f.target(), tmp);
                Files.writeString(tmp, f.content(), StandardCharsets.UTF_8);
                copyModeAndOwner(Files.exists(f.target()) ? f.target() : f.template(), tmp, Files.exists(f.target()));
                if (f.secret()) {
                    Files.setPosixFilePermissions(tmp, SECRET_MODE);
                }
            }
            current = null;
            for (var e : staged.entrySet()) {
                current = e.getKey();
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
            throw new InvalidInputException(describe(e, current));
        }
    }

    /** Creates what is missing of {@code dir}, each new directory 0750. */
    public static void createDirectories(Path dir) throws IOException {
        if (dir == null || Files.isDirectory(dir)) {
            return;
        }
        createDirectories(dir.getParent());
        try {
            Files.createDirectory(dir);
            if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null) {
                Files.setPosixFilePermissions(dir, DIR_MODE); // whatever the umask says
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /** Takes every permission of others away from {@code dir}, if it exists and has any. */
    private static void keepFromOthers(Path dir) throws IOException {
        if (dir == null || !Files.isDirectory(dir) || Files.getFileAttributeView(dir, PosixFileAttributeView.class) == null) {
            return;
        }
        // a copy: what a file system returns may be unmodifiable
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        p.addAll(Files.getPosixFilePermissions(dir));
        if (p.removeAll(OTHERS)) {
            Files.setPosixFilePermissions(dir, p);
        }
    }

    private static boolean modeIs(Path file, Set<PosixFilePermission> mode) throws IOException {
        return Files.getFileAttributeView(file, PosixFileAttributeView.class) == null
                || Files.getPosixFilePermissions(file).equals(mode);
    }

    private static String describe(IOException e, Path file) {
        if (e instanceof AccessDeniedException ade) {
            return "cannot write " + ade.getFile() + ": permission denied; run the agent as a user that can write there "
                    + "(in the image: user dockhand owns /var/lib/dockhand) or choose another --out / --data-dir";
        }
        if (e instanceof FileAlreadyExistsException fae) {
            return "cannot create directory " + fae.getFile() + ": a file of that name is in the way";
        }
        if (e instanceof FileSystemException fse && fse.getFile() != null) {
            return "cannot write " + fse.getFile() + ": " + (fse.getReason() == null ? fse.getClass().getSimpleName() : fse.getReason())
                    + "; every previous file is as it was";
        }
        // a write that fails (disk full) names no file of its own
        return "cannot write " + (file == null ? "the rendered files" : file) + ": " + dev.dockhand.agent.core.InputFiles.reason(e)
                + "; every previous file is as it was";
    }

    private static void copyModeAndOwner(Path from, Path to, boolean owner) throws IOException {
        if (from == null) {
            return; // a file made by the agent, not from a template: the temp file's own 0600 stays
        }
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
