package dev.dockhand.agent.access;

import dev.dockhand.agent.core.AtomicFile;
import dev.dockhand.users.HashedUsers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The names of the users kafka-access applied at its last success on this node, one per line, in a 0600 file on the
 * node's volume (names only: no password, no hash). It tells a user removed from the users file (in the record, not
 * in the file: the agent takes its login and rights away) from a user the agent never made (an operator's, or one a
 * migration carried over: left alone), ADR 019.
 */
final class AppliedRecord {
    /** Larger than any record the agent writes (1,000 names of at most 64 characters). */
    static final long LIMIT = 128 * 1024;

    private AppliedRecord() {}

    /**
     * The recorded names; none when there is no record. A record that is not a regular file, is too large or holds a
     * line that is not a user name is said on {@code err} and read as none: the step then removes no login, which
     * is the safe side.
     */
    static Set<String> read(Path record, PrintWriter err) {
        Set<String> names = new LinkedHashSet<>();
        if (record == null || !Files.exists(record, LinkOption.NOFOLLOW_LINKS)) {
            return names;
        }
        try {
            if (!Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS) || Files.size(record) > LIMIT) {
                err.println("kafka-access: " + record + " is not a regular file of at most " + LIMIT + " bytes; no login is removed this time"
                        + " (the next success writes it again)");
                return new LinkedHashSet<>();
            }
            for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
                if (line.isEmpty()) {
                    continue;
                }
                if (!HashedUsers.NAME.matcher(line).matches()) {
                    err.println("kafka-access: " + record + " holds a line that is not a user name; no login is removed this time"
                            + " (the next success writes it again)");
                    return new LinkedHashSet<>();
                }
                names.add(line);
            }
        } catch (IOException e) {
            err.println("kafka-access: cannot read " + record + " (" + e.getMessage() + "); no login is removed this time");
            return new LinkedHashSet<>();
        }
        return names;
    }

    /** Replaces the record with {@code names}, whole or not at all (a temporary file moved over it). */
    static void write(Path record, Collection<String> names) {
        if (record == null) {
            return;
        }
        try {
            Files.createDirectories(record.toAbsolutePath().getParent());
            AtomicFile.replace(record, names.isEmpty() ? "" : String.join("\n", names) + "\n", "rw-------");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + record, e);
        }
    }
}
