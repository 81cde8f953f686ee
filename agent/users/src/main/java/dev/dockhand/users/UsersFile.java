package dev.dockhand.users;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The users a secured node's agent renders for the services that check logins over HTTP
 * ({@code users.hashed}, whose format {@link HashedUsers} defines), read by the registry and the
 * Connect worker from the file their settings name: checked the same way for both (a regular file,
 * not open to others, of a users file's size, UTF-8, at least one user).
 */
public final class UsersFile {
    /** Far more than any cluster's users; a bigger file is not one the agent wrote. */
    static final long MAX_BYTES = 1 << 20;

    /** A file that cannot be used: every problem, each naming the file (and the line). */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message);
        }
    }

    private UsersFile() {}

    /**
     * The users of {@code file}, by name, for {@code service} (the registry, the worker: named in the
     * problems), for which a file without users means "nobody could {@code nobodyCould}".
     */
    public static Map<String, Login> read(Path file, String service, String nobodyCould) throws Invalid {
        String where = "users file " + file;
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw new Invalid(where + (Files.exists(file) ? " is not a regular file" : " does not exist")
                        + "; on a secured node the agent writes it before it starts the " + service);
            }
            String open = readableByOthers(file);
            if (open != null) {
                throw new Invalid(where + " " + open);
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new Invalid(where + " has " + Files.size(file) + " bytes, more than " + MAX_BYTES + "; it is not a users file");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Invalid(where + " does not exist");
        } catch (IOException e) {
            throw new Invalid(where + " cannot be read: " + e.getMessage());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Invalid(where + " is not UTF-8 text");
        }
        return parse(text, where, nobodyCould);
    }

    /** The users of {@code text}; problems name {@code where} and the line. */
    public static Map<String, Login> parse(String text, String where, String nobodyCould) throws Invalid {
        List<String> problems = new ArrayList<>();
        Map<String, Login> users = HashedUsers.parse(text, where, problems);
        if (problems.isEmpty() && users.isEmpty()) {
            problems.add(where + " lists no user: nobody could " + nobodyCould);
        }
        if (!problems.isEmpty()) {
            throw new Invalid(String.join("\n", problems));
        }
        return users;
    }

    /** Why {@code file} must not be used as it is, or null: hashes can be cracked offline by whoever reads them. */
    private static String readableByOthers(Path file) throws IOException {
        Set<PosixFilePermission> p;
        try {
            p = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return null;
        }
        if (!p.contains(PosixFilePermission.OTHERS_READ) && !p.contains(PosixFilePermission.OTHERS_WRITE)) {
            return null;
        }
        return "may be read or written by any user of the node (mode " + PosixFilePermissions.toString(p)
                + "); the agent writes it 0600";
    }
}
