package dev.dockhand.agent.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a file that comes from outside the node's contract (metadata, catalog, templates, {@code *_FILE}
 * secrets, what is on the data volume): only a regular file (a symbolic link to one is fine, as
 * Kubernetes mounts secrets), only up to a limit, only UTF-8 text. A FIFO would hang the agent at
 * open, {@code /dev/zero} would fill its heap: both are refused before a byte is read, with a message
 * that says what the file is and what to do.
 */
public final class InputFiles {
    /** Limits for the kinds of files the agent reads. */
    public static final long METADATA_LIMIT = 1024 * 1024;
    public static final long CATALOG_LIMIT = 1024 * 1024;
    public static final long TEMPLATE_LIMIT = 1024 * 1024;
    public static final long SECRET_LIMIT = 64 * 1024;
    /** A small state file on the data volume ({@code myid}, {@code meta.properties}). */
    public static final long STATE_LIMIT = 64 * 1024;

    /** Why a file input was refused; the message reads after the file's name ("... /x: is a FIFO, ..."). */
    public static final class Refused extends IOException {
        private final boolean missing;

        public Refused(String message, boolean missing) {
            super(message);
            this.missing = missing;
        }

        /** The file (or a directory on its path) does not exist. */
        public boolean missing() {
            return missing;
        }
    }

    private InputFiles() {}

    /**
     * Where input files come from: the file system ({@link #DISK}), or what a read step took from it once
     * (the planner renders from such a snapshot, so that planning itself touches no file).
     */
    @FunctionalInterface
    public interface Reader {
        /** As {@link InputFiles#read(Path, long)}. */
        String read(Path file, long limit) throws Refused;
    }

    /** Reads the file system, now. */
    public static final Reader DISK = InputFiles::read;

    /**
     * The file's text.
     *
     * @throws Refused naming the problem: does not exist, permission denied, not a regular file (and
     *     what it is), larger than {@code limit} bytes, not UTF-8 text, or another I/O error
     */
    public static String read(Path file, long limit) throws Refused {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException | NotDirectoryException e) {
            throw new Refused("does not exist", true);
        } catch (AccessDeniedException e) {
            throw new Refused("permission denied", false);
        } catch (IOException e) {
            throw new Refused(reason(e), false);
        }
        if (!a.isRegularFile()) {
            throw new Refused("is " + kind(a) + ", not a regular file; give a regular file (or a link to one)", false);
        }
        if (a.size() > limit) {
            throw new Refused("is " + a.size() + " bytes, more than the limit of " + limit + " bytes", false);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            // the file may have grown since its size was read: never take more than the limit
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        } catch (AccessDeniedException e) {
            throw new Refused("permission denied", false);
        } catch (IOException e) {
            throw new Refused(reason(e), false);
        }
        if (bytes.length > limit) {
            throw new Refused("is more than the limit of " + limit + " bytes", false);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refused("is not UTF-8 text", false);
        }
    }

    private static String kind(BasicFileAttributes a) {
        if (a.isDirectory()) {
            return "a directory";
        }
        if (a.isOther()) {
            return "a FIFO, socket or device";
        }
        return "not a regular file";
    }

    /** An I/O error's reason without the path the JDK repeats in its message. */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "does not exist";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
