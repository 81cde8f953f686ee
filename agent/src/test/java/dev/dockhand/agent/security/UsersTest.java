package dev.dockhand.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersTest {
    @TempDir
    Path tmp;

    Path file(String text, String mode) throws Exception {
        Path f = tmp.resolve("users");
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void readsUsersRolesAndCommentsAndNeverPrintsAPassword() throws Exception {
        List<String> problems = new ArrayList<>();
        Users u = Users.read(file("# the app\napp:s3cret-pass\r\n\nops:Adm1n!pass#x:admin\nci:ci-password:client\n", "rw-------"),
                "AGENT_USERS_FILE", problems);
        assertEquals(List.of(), problems);
        assertEquals(List.of("app", "ops", "ci"), u.all().stream().map(Users.User::name).toList());
        assertEquals(List.of(Users.Role.CLIENT, Users.Role.ADMIN, Users.Role.CLIENT), u.all().stream().map(Users.User::role).toList());
        assertEquals("s3cret-pass", u.all().get(0).password());
        assertFalse(u.toString().contains("s3cret"), u.toString());
    }

    @Test
    void everyBadLineIsNamedWithoutItsPassword() throws Exception {
        List<String> problems = new ArrayList<>();
        String text = String.join("\n",
                "justaname",
                "bad name:password1",
                "app:short",
                "app2:has space in it",
                "app3:password=x,y",
                "app4:longenough:root",
                "dup:password1",
                "dup:password2",
                "a:b:c:d");
        assertNull(Users.read(file(text, "rw-------"), "AGENT_USERS_FILE", problems));
        assertEquals(8, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains(":1: not NAME:PASSWORD"), problems.get(0));
        assertTrue(problems.get(1).contains(":2: user name must be"), problems.get(1));
        assertTrue(problems.get(2).contains(":3: the password of app has 5 characters; give 8 to 128"), problems.get(2));
        assertTrue(problems.get(3).contains(":4: the password of app2 has a character outside"), problems.get(3));
        assertTrue(problems.get(4).contains("(at position 9)"), problems.get(4));
        assertTrue(problems.get(5).contains(":6: unknown role 'root' (use client or admin)"), problems.get(5));
        assertTrue(problems.get(6).contains(":8: user dup is listed twice"), problems.get(6));
        assertTrue(problems.get(7).contains(":9: not NAME:PASSWORD"), problems.get(7));
        for (String p : problems) {
            assertFalse(p.contains("password1") || p.contains("short") || p.contains("has space") || p.contains("longenough"), p);
        }
    }

    @Test
    void refusesAFileOthersCanReadAnEmptyOneAndAMissingOne() throws Exception {
        List<String> problems = new ArrayList<>();
        assertNull(Users.read(file("app:password1\n", "rw-r--r--"), "AGENT_USERS_FILE", problems));
        assertTrue(problems.get(0).contains("AGENT_USERS_FILE"), problems.toString());
        problems.clear();
        assertNull(Users.read(file("# nobody\n", "rw-------"), "AGENT_USERS_FILE", problems));
        assertTrue(problems.get(0).contains("lists no user"), problems.toString());
        problems.clear();
        assertNull(Users.read(tmp.resolve("absent"), "AGENT_USERS_FILE", problems));
        assertTrue(problems.get(0).contains("does not exist"), problems.toString());
    }

    @Test
    void theHashedFileHoldsNoPasswordAndVerifiesTheRightOneOnly() throws Exception {
        List<String> problems = new ArrayList<>();
        Users u = Users.read(file("app:s3cret-pass\nops:other-pass:admin\n", "rw-------"), "f", problems);
        String hashed = u.hashedFile();
        assertFalse(hashed.contains("s3cret-pass") || hashed.contains("other-pass"), hashed);
        String[] app = hashed.lines().filter(l -> l.startsWith("app:")).findFirst().orElseThrow().split(":");
        assertEquals("client", app[1]);
        byte[] salt = Base64.getDecoder().decode(app[2]);
        byte[] hash = Base64.getDecoder().decode(app[3]);
        assertTrue(Users.matches("s3cret-pass", salt, hash));
        assertFalse(Users.matches("s3cret-pasS", salt, hash));
        assertTrue(hashed.lines().anyMatch(l -> l.startsWith("ops:admin:")));

        byte[] key = "a secret of the cluster".getBytes();
        assertEquals(u.hashedFile(key), u.hashedFile(key), "the same users render the same file");
        assertFalse(u.hashedFile(key).equals(u.hashedFile("another".getBytes())));
        Users changed = Users.read(file("app:s3cret-pass2\nops:other-pass:admin\n", "rw-------"), "f", problems);
        assertFalse(changed.hashedFile(key).lines().filter(l -> l.startsWith("app:")).findFirst()
                .equals(u.hashedFile(key).lines().filter(l -> l.startsWith("app:")).findFirst()), "a new password, a new line");
    }
}
