package dev.dockhand.registry.auth;

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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The users a secured node's agent renders for the services that check logins over HTTP
 * ({@code users.hashed}): one {@code name:role:salt:hash} line each, the role {@code client} or
 * {@code admin}, salt and hash standard base64, the hash PBKDF2-HMAC-SHA256 of the password (no
 * password in the file). {@code #} starts a comment line.
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

    /** The users of {@code file}, by name. */
    public static Map<String, Login> read(Path file) throws Invalid {
        String where = "users file " + file;
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw new Invalid(where + (Files.exists(file) ? " is not a regular file" : " does not exist")
                        + "; on a secured node the agent writes it before it starts the registry");
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
        return parse(text, where);
    }

    /** The users of {@code text}; problems name {@code where} and the line. */
    static Map<String, Login> parse(String text, String where) throws Invalid {
        Map<String, Login> users = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            String at = where + ":" + (i + 1) + ": ";
            String[] f = line.split(":", -1);
            if (f.length != 4) {
                problems.add(at + "not name:role:salt:hash (" + f.length + " fields)");
                continue;
            }
            String name = f[0];
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                // the agent's rule (dev.dockhand.agent.security.Users.NAME): the agent never writes another
                problems.add(at + "the user name must be a letter or digit, then letters, digits, '.', '_' or '-', 1 to 64 in all");
                continue;
            }
            Role role = Role.parse(f[1]);
            if (role == null) {
                problems.add(at + "user " + name + " has an unknown role (use client or admin)");
                continue;
            }
            byte[] salt = base64(f[2]);
            byte[] hash = base64(f[3]);
            if (salt == null || salt.length == 0) {
                problems.add(at + "the salt of " + name + " is not standard base64");
                continue;
            }
            if (hash == null || hash.length != Passwords.HASH_BYTES) {
                problems.add(at + "the hash of " + name + " is not " + Passwords.HASH_BYTES + " bytes of standard base64");
                continue;
            }
            if (users.putIfAbsent(name, new Login(name, role, salt, hash)) != null) {
                problems.add(at + "user " + name + " is listed twice");
            }
        }
        if (problems.isEmpty() && users.isEmpty()) {
            problems.add(where + " lists no user: nobody could write to this registry");
        }
        if (!problems.isEmpty()) {
            throw new Invalid(String.join("\n", problems));
        }
        return users;
    }

    private static byte[] base64(String s) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
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

    /** What a user may do. */
    public enum Role {
        /** register schemas, check compatibility, look schemas up */
        CLIENT,
        /** everything: deletes, compatibility and mode settings, Apicurio's admin API */
        ADMIN;

        static Role parse(String s) {
            for (Role r : values()) {
                if (r.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return r;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One user: what verifies its password, never the password. */
    public record Login(String name, Role role, byte[] salt, byte[] hash) {
        @Override
        public String toString() {
            return name + " (" + role + ")";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Login l && l.name.equals(name) && l.role == role && java.util.Arrays.equals(l.salt, salt)
                    && java.util.Arrays.equals(l.hash, hash);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }
    }
}
