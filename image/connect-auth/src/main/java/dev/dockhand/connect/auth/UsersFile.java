package dev.dockhand.connect.auth;

import dev.dockhand.users.HashedUsers;
import dev.dockhand.users.Login;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The users of a secured node's {@code users.hashed} (format: {@link HashedUsers}), read at the worker's start. */
final class UsersFile {
    /** Far more than any cluster's users; a bigger file is not one the agent wrote. */
    static final long MAX_BYTES = 1 << 20;

    /** A file that cannot be used: every problem, each naming the file (and the line); never a salt or hash. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    private UsersFile() {}

    static Map<String, Login> read(Path file) throws Invalid {
        String where = "users file " + file;
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw new Invalid(where + (Files.exists(file) ? " is not a regular file" : " does not exist")
                        + "; on a secured node the agent writes it before it starts the worker");
            }
            Set<PosixFilePermission> p = permissions(file);
            if (p != null && (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_WRITE))) {
                throw new Invalid(where + " may be read or written by any user of the node (mode " + PosixFilePermissions.toString(p)
                        + "); the agent writes it 0600");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new Invalid(where + " has " + Files.size(file) + " bytes, more than " + MAX_BYTES + "; it is not a users file");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Invalid(where + " cannot be read: " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Invalid(where + " is not UTF-8 text");
        }
        List<String> problems = new ArrayList<>();
        Map<String, Login> users = HashedUsers.parse(text, where, problems);
        if (problems.isEmpty() && users.isEmpty()) {
            problems.add(where + " lists no user: nobody could use this worker");
        }
        if (!problems.isEmpty()) {
            throw new Invalid(String.join("\n", problems));
        }
        return users;
    }

    private static Set<PosixFilePermission> permissions(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }
}
