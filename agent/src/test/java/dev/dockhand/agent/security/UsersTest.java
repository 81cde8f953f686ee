package dev.dockhand.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.users.HashedUsers;
import dev.dockhand.users.Role;
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
        assertEquals(List.of(Role.CLIENT, Role.ADMIN, Role.CLIENT), u.all().stream().map(Users.User::role).toList());
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
                "a:b:c:d:e");
        assertNull(Users.read(file(text, "rw-------"), "AGENT_USERS_FILE", problems));
        assertEquals(8, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains(":1: not NAME:PASSWORD"), problems.get(0));
        assertTrue(problems.get(1).contains(":2: the user name 'bad name' is not a name"), problems.get(1));
        assertTrue(problems.get(2).contains(":3: the password of app has 5 characters; give 8 to 128"), problems.get(2));
        assertTrue(problems.get(3).contains(":4: the password of app2 has a character outside"), problems.get(3));
        assertTrue(problems.get(4).contains("(at position 9)"), problems.get(4));
        assertTrue(problems.get(5).contains(":6: unknown role 'root' (use client or admin)"), problems.get(5));
        assertTrue(problems.get(6).contains(":8: user dup is listed twice"), problems.get(6));
        assertTrue(problems.get(7).contains(":9: not NAME:PASSWORD, NAME:PASSWORD:ROLE or NAME:PASSWORD:ROLE:SCOPE"), problems.get(7));
        for (String p : problems) {
            assertFalse(p.contains("password1") || p.contains("short") || p.contains("has space") || p.contains("longenough"), p);
        }
    }

    @Test
    void aTeamsUserIsScopedToPrefixesAndHeldToQuotasAndTheCopyReadsBackTheSame() throws Exception {
        List<String> problems = new ArrayList<>();
        Users u = Users.read(file("old:old-password\nops:ops-password:admin:request_percentage=250\n"
                + "team-a:team-a-pass:client:topic=team-a.,topic=shared-a,group=team-a.,transactional-id=team-a.,"
                + "producer_byte_rate=10240,consumer_byte_rate=1048576,request_percentage=12.5\n", "rw-------"), "AGENT_USERS_FILE", problems);
        assertEquals(List.of(), problems);
        Users.Scope a = u.all().get(2).scope();
        assertEquals(List.of("team-a.", "shared-a"), a.topics());
        assertEquals(List.of("team-a."), a.groups());
        assertEquals(List.of("team-a."), a.transactionalIds());
        assertEquals(java.util.Map.of("producer_byte_rate", 10240.0, "consumer_byte_rate", 1048576.0, "request_percentage", 12.5), a.quotas());
        assertTrue(a.prefixed());
        assertFalse(u.all().get(0).scope().prefixed(), "a line of the old forms is not confined");
        assertEquals(Users.Scope.NONE, u.all().get(0).scope());
        assertEquals(java.util.Map.of("request_percentage", 250.0), u.all().get(1).scope().quotas(), "quotas hold for an admin too");
        assertFalse(u.toString().contains("pass"), u.toString());
        // the copy the agent keeps is read back as the same users, scopes and quotas
        Users again = Users.read(file(u.usersFile(), "rw-------"), "copy", problems);
        assertEquals(List.of(), problems);
        assertEquals(u.all(), again.all());
        // the hashed file the registry and the console read keeps its four fields: name, role, salt, hash
        List<String> hashedProblems = new ArrayList<>();
        var logins = HashedUsers.parse(u.hashedFile(), "users.hashed", hashedProblems);
        assertEquals(List.of(), hashedProblems);
        assertEquals(Role.CLIENT, logins.get("team-a").role());
    }

    @Test
    void aBadScopeIsNamedAndNothingOfTheFileIsTaken() throws Exception {
        String[] bad = {
            "t:password1:client:topic=*", "is '*'",
            "t:password1:client:topic=", "is not 1 to 249 characters",
            "t:password1:client:group=a b", "is not 1 to 249 characters",
            "t:password1:client:topic=__consumer", "internal topics",
            "t:password1:client:topic=_", "internal topics",
            "t:password1:client:topic=a,topic=a", "given twice",
            "t:password1:client:producer_byte_rate=10", "from 1024",
            "t:password1:client:producer_byte_rate=1e9", "whole number",
            "t:password1:client:consumer_byte_rate=99999999999999999", "whole number",
            "t:password1:client:request_percentage=0", "a number from 1 to 10000",
            "t:password1:client:request_percentage=NaN", "a number from 1 to 10000",
            "t:password1:client:color=blue", "unknown scope key 'color'",
            "t:password1:client:topic", "is not key=value",
            "t:password1:client:", "is empty",
            "t:password1:admin:topic=a.", "is an admin",
            "t:password1:client:topic=" + "a".repeat(250), "is not 1 to 249 characters",
        };
        for (int i = 0; i < bad.length; i += 2) {
            List<String> problems = new ArrayList<>();
            assertNull(Users.read(file("good:password1\n" + bad[i] + "\n", "rw-------"), "AGENT_USERS_FILE", problems), bad[i]);
            assertEquals(1, problems.size(), bad[i] + ": " + problems);
            assertTrue(problems.get(0).contains(":2: ") && problems.get(0).contains(bad[i + 1]), bad[i] + ": " + problems);
            assertFalse(problems.get(0).contains("password1"), problems.get(0));
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
        assertEquals("600000", app[4], "the count is part of the line");
        assertTrue(HashedUsers.matches("s3cret-pass", salt, 600_000, hash));
        assertFalse(HashedUsers.matches("s3cret-pasS", salt, 600_000, hash));
        assertTrue(hashed.lines().anyMatch(l -> l.startsWith("ops:admin:")));

        byte[] key = "a secret of the cluster".getBytes();
        assertEquals(u.hashedFile(key), u.hashedFile(key), "the same users render the same file");
        assertFalse(u.hashedFile(key).equals(u.hashedFile("another".getBytes())));
        Users changed = Users.read(file("app:s3cret-pass2\nops:other-pass:admin\n", "rw-------"), "f", problems);
        assertFalse(changed.hashedFile(key).lines().filter(l -> l.startsWith("app:")).findFirst()
                .equals(u.hashedFile(key).lines().filter(l -> l.startsWith("app:")).findFirst()), "a new password, a new line");
    }

    /**
     * A name every component takes, and never a node's: {@code .} and {@code ..} are no ZooKeeper path
     * (Kafka refused them and its whole request, salted passwords included, went to its log), a leading
     * {@code -} reads as a tool's flag, and a node's principal always holds {@code =}.
     */
    @Test
    void namesAreWhatKafkaTheRegistryAndTheToolsTakeAndNeverANodesPrincipal() throws Exception {
        for (String bad : List.of(".", "..", "-x", "_x", ".hidden", "CN=b-1.example", "a,b", "a b", "é",
                "x".repeat(65), "a\u001b[2J")) {
            List<String> problems = new ArrayList<>();
            assertNull(Users.read(file(bad + ":password1\n", "rw-------"), "AGENT_USERS_FILE", problems), bad);
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).contains("is not a name: write a letter or digit"), problems.get(0));
            assertFalse(problems.get(0).contains("\u001b"), "no raw control character: " + problems.get(0));
            assertFalse(problems.get(0).contains("password1"), problems.get(0));
        }
        for (String good : List.of("a", "9", "b-1.example", "team_a.app-1", "x".repeat(64))) {
            List<String> problems = new ArrayList<>();
            Users u = Users.read(file(good + ":password1\n", "rw-------"), "AGENT_USERS_FILE", problems);
            assertEquals(List.of(), problems, good);
            assertEquals(good, u.all().get(0).name());
            assertFalse(("User:" + good).equals(Users.nodePrincipal(good)), "a user named like a node is not the node");
            assertFalse(Users.NAME.matcher(Users.nodePrincipal(good).substring("User:".length())).matches());
        }
    }

    @Test
    void atMostAThousandUsersAndTheirFileFitsTheLimit() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Users.MAX_USERS; i++) {
            // the longest line a user can have: a name of 64, a password of 128, the admin role
            sb.append(String.format("%064d", i)).append(':').append("p".repeat(Users.MAX_PASSWORD)).append(":admin\n");
        }
        assertTrue(sb.length() <= Users.FILE_LIMIT, "the largest users file of " + Users.MAX_USERS + " users fits: " + sb.length());
        List<String> problems = new ArrayList<>();
        assertEquals(Users.MAX_USERS, Users.read(file(sb.toString(), "rw-------"), "AGENT_USERS_FILE", problems).all().size());
        sb.append("one-more:password1\n");
        assertNull(Users.read(file(sb.toString(), "rw-------"), "AGENT_USERS_FILE", problems));
        assertTrue(problems.get(0).contains(":" + (Users.MAX_USERS + 1) + ": more than 1000 users"), problems.toString());
    }

    @Test
    void anUnchangedPasswordIsNotHashedAgainAndAChangedOneIs() throws Exception {
        List<String> problems = new ArrayList<>();
        byte[] key = "a secret of the cluster".getBytes();
        Users before = Users.read(file("app:s3cret-pass\nops:other-pass:admin\n", "rw-------"), "f", problems);
        String first = before.hashedFile(key);
        // an earlier file whose hash for ops is not what PBKDF2 gives: taken as it is, so it was not computed again
        String opsLine = first.lines().filter(l -> l.startsWith("ops:")).findFirst().orElseThrow();
        String[] f = opsLine.split(":");
        String marked = first.replace(opsLine, f[0] + ":" + f[1] + ":" + f[2] + ":" + Base64.getEncoder().encodeToString(new byte[32]) + ":" + f[4]);
        Users after = Users.read(file("app:s3cret-pass2\nops:other-pass:admin\nnew:new-password\n", "rw-------"), "f", problems);
        String next = after.hashedFile(key, marked);
        assertTrue(next.contains(f[0] + ":" + f[1] + ":" + f[2] + ":" + Base64.getEncoder().encodeToString(new byte[32]) + ":600000"), next);
        // an older agent's line (no count: 100,000 iterations) is hashed anew, not carried over
        String older = first.replace(opsLine, f[0] + ":" + f[1] + ":" + f[2] + ":" + Base64.getEncoder().encodeToString(new byte[32]));
        assertFalse(after.hashedFile(key, older).contains(Base64.getEncoder().encodeToString(new byte[32])));
        String[] app = next.lines().filter(l -> l.startsWith("app:")).findFirst().orElseThrow().split(":");
        assertTrue(HashedUsers.matches("s3cret-pass2", Base64.getDecoder().decode(app[2]), 600_000, Base64.getDecoder().decode(app[3])),
                "a new password: hashed");
        String[] added = next.lines().filter(l -> l.startsWith("new:")).findFirst().orElseThrow().split(":");
        assertTrue(HashedUsers.matches("new-password", Base64.getDecoder().decode(added[2]), 600_000, Base64.getDecoder().decode(added[3])));
        assertEquals(after.hashedFile(key).replace(marked, ""), after.hashedFile(key, first).replace(marked, ""),
                "with a true earlier file, the result is what hashing everything gives");
    }

    @Test
    void theCopyForTheLoginStepReadsBackAsTheSameUsers() throws Exception {
        List<String> problems = new ArrayList<>();
        Users u = Users.read(file("# c\napp:s3cret-pass\nops:Adm1n!pass#x:admin\n", "rw-------"), "f", problems);
        Users back = Users.read(file(u.usersFile(), "rw-------"), "copy", problems);
        assertEquals(List.of(), problems);
        assertEquals(u.all(), back.all());
    }
}
