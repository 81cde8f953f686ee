package dev.dockhand.agent.security;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.users.HashedUsers;
import dev.dockhand.users.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The users of a secured cluster, from the secret file the orchestrator gives ({@code AGENT_USERS_FILE}):
 * Kafka's clients (SASL/SCRAM-SHA-512), the registry's writers and the console's readers. One user per
 * line, {@code NAME:PASSWORD}, {@code NAME:PASSWORD:ROLE} or {@code NAME:PASSWORD:client:SCOPE}; {@code #} starts a
 * comment. Files of the first three forms read as they always did.
 *
 * <ul>
 *   <li>A name: a letter or digit, then letters, digits, {@code .}, {@code _}, {@code -}; 1 to 64
 *       characters ({@link #NAME}). What every component that sees it takes: Kafka stores a SCRAM user
 *       under a ZooKeeper path ({@code .} and {@code ..} are not names there), its tools read a leading
 *       {@code -} as a flag, HTTP Basic ends a name at {@code :}. A name never holds {@code =}, and a node's
 *       Kafka principal always does ({@link #nodePrincipal}): a user can never be taken for a node.
 *   <li>A password: 8 to 128 characters of {@code A-Z a-z 0-9} and {@code !#$%&()*+./;<>?@^_{|}~-}:
 *       what every parser it passes through (Kafka's SCRAM config syntax, HTTP Basic, shells) reads as
 *       one word.
 *   <li>A role: {@code client} (the default: produce, consume, create topics, commit offsets) or
 *       {@code admin} (everything, on the cluster too).
 *   <li>A scope ({@link Scope}, a team's user): {@code key=value} items separated by {@code ,}. {@code topic=P},
 *       {@code group=P}, {@code transactional-id=P} (each may repeat) confine a {@code client} to the resources whose
 *       names start with one of its prefixes {@code P}; {@code producer_byte_rate=N}, {@code consumer_byte_rate=N}
 *       (bytes a second) and {@code request_percentage=N} are Kafka's user quotas, for any role. A prefix is 1 to
 *       {@link #MAX_PREFIX} characters of Kafka's topic-name set ({@code A-Z a-z 0-9 . _ -}), never {@code *},
 *       and a topic prefix never reaches Kafka's internal topics ({@code __...}).
 * </ul>
 *
 * A problem names the file and the line, never a password.
 */
public final class Users {
    /** A user name, for every component that sees it (the class comment says why each character). */
    public static final java.util.regex.Pattern NAME = HashedUsers.NAME;
    /** What the name rule says, for messages. */
    public static final String NAME_RULE = HashedUsers.NAME_RULE;
    /**
     * At most this many users: each costs a password hash at a node's first start (the registry's and the
     * console's logins) and a SCRAM credential, and the file stays within {@link #FILE_LIMIT}.
     */
    public static final int MAX_USERS = 1000;
    /** The largest users file: {@link #MAX_USERS} lines of the longest user, with room for comments. */
    public static final long FILE_LIMIT = 256 * 1024;
    public static final int MIN_PASSWORD = 8;
    public static final int MAX_PASSWORD = 128;
    private static final String PASSWORD_PUNCTUATION = "!#$%&()*+./;<>?@^_{|}~-";

    /** The longest prefix: Kafka's longest topic name. */
    public static final int MAX_PREFIX = 249;
    /** At most this many prefixes of each kind a user. */
    public static final int MAX_PREFIXES = 32;
    /** A prefix: Kafka's topic-name characters; {@code *} (every name) is not one. */
    static final java.util.regex.Pattern PREFIX = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1," + MAX_PREFIX + "}");
    /** The byte-rate quotas: at least 1 KiB/s (less starves a client's own heartbeats), at most 1 TiB/s. */
    static final long MIN_BYTE_RATE = 1024;
    static final long MAX_BYTE_RATE = 1L << 40;
    /** request_percentage: a share of one I/O or network thread's time in a quota window, in percent. */
    static final double MIN_REQUEST_PERCENTAGE = 1;
    static final double MAX_REQUEST_PERCENTAGE = 10_000;

    /** Kafka's user quota keys that a users file may set, in the order they are written back. */
    public static final List<String> QUOTA_KEYS = List.of("producer_byte_rate", "consumer_byte_rate", "request_percentage");

    /**
     * What a user is confined to and held to: the prefixes of its topics, groups and transactional ids (all empty: not
     * confined) and its quotas (Kafka's keys, {@link #QUOTA_KEYS}).
     */
    public record Scope(List<String> topics, List<String> groups, List<String> transactionalIds, java.util.Map<String, Double> quotas) {
        public static final Scope NONE = new Scope(List.of(), List.of(), List.of(), java.util.Map.of());

        public Scope {
            topics = List.copyOf(topics);
            groups = List.copyOf(groups);
            transactionalIds = List.copyOf(transactionalIds);
            quotas = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(quotas));
        }

        /** Whether the user is confined to prefixes (a team's user) rather than given every name of its role. */
        public boolean prefixed() {
            return !topics.isEmpty() || !groups.isEmpty() || !transactionalIds.isEmpty();
        }

        /** The scope as the users file writes it, empty for {@link #NONE}. */
        String spelled() {
            List<String> items = new ArrayList<>();
            topics.forEach(p -> items.add("topic=" + p));
            groups.forEach(p -> items.add("group=" + p));
            transactionalIds.forEach(p -> items.add("transactional-id=" + p));
            quotas.forEach((k, v) -> items.add(k + "=" + number(v)));
            return String.join(",", items);
        }

        @Override
        public String toString() {
            return spelled();
        }
    }

    /** One user; {@link #toString} leaves the password out. */
    public record User(String name, String password, Role role, Scope scope) {
        public User(String name, String password, Role role) {
            this(name, password, role, Scope.NONE);
        }

        @Override
        public String toString() {
            String s = scope.spelled();
            return name + " (" + role + (s.isEmpty() ? "" : "; " + s) + ")";
        }
    }

    /** A quota's value as Kafka and the users file write it: whole numbers without a fraction. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    private final List<User> users;

    private Users(List<User> users) {
        this.users = List.copyOf(users);
    }

    public List<User> all() {
        return users;
    }

    /**
     * Reads and checks the file; every problem goes to {@code problems} (file, line, what is wrong),
     * and null comes back when there is any.
     */
    public static Users read(Path file, String source, List<String> problems) {
        String where = "users file " + file + " (" + source + ")";
        String text;
        try {
            String open = ClusterCa.readableByOthers(file);
            if (open != null) {
                problems.add(where + " " + open);
                return null;
            }
            text = InputFiles.read(file, FILE_LIMIT);
        } catch (InputFiles.Refused e) {
            problems.add(where + " " + e.getMessage());
            return null;
        }
        int before = problems.size();
        List<User> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            String at = where + ":" + (i + 1);
            String[] f = line.split(":", -1);
            if (f.length < 2 || f.length > 4) {
                problems.add(at + ": not NAME:PASSWORD, NAME:PASSWORD:ROLE or NAME:PASSWORD:ROLE:SCOPE");
                continue;
            }
            String name = f[0];
            if (!NAME.matcher(name).matches()) {
                problems.add(at + ": the user name '" + dev.dockhand.agent.core.Names.printable(name) + "' is not a name: write " + NAME_RULE);
                continue;
            }
            String why = passwordProblem(f[1]);
            if (why != null) {
                problems.add(at + ": the password of " + name + " " + why);
                continue;
            }
            Role role = f.length >= 3 ? Role.parse(f[2]) : Role.CLIENT;
            if (role == null) {
                problems.add(at + ": unknown role '" + dev.dockhand.agent.core.Names.printable(f[2]) + "' (use client or admin)");
                continue;
            }
            Scope scope = Scope.NONE;
            if (f.length == 4) {
                List<String> scopeProblems = new ArrayList<>();
                scope = scope(f[3], name, role, scopeProblems);
                if (!scopeProblems.isEmpty()) {
                    scopeProblems.forEach(w -> problems.add(at + ": " + w));
                    continue;
                }
            }
            if (!names.add(name)) {
                problems.add(at + ": user " + name + " is listed twice");
                continue;
            }
            if (out.size() == MAX_USERS) {
                problems.add(at + ": more than " + MAX_USERS + " users; a cluster's users file holds at most " + MAX_USERS);
                break;
            }
            out.add(new User(name, f[1], role, scope));
        }
        if (problems.size() == before && out.isEmpty()) {
            problems.add(where + " lists no user; a secured cluster needs at least one to be used");
        }
        return problems.size() == before ? new Users(out) : null;
    }

    /**
     * The Kafka principal of a node's certificate: its whole subject, as Kafka's {@code DEFAULT} mapping
     * gives it ({@code CN=<fqdn>}). It holds {@code =}, which no {@link #NAME} does, so a SCRAM login can
     * never be a node (and so a super user) whatever the names of the nodes and the users.
     */
    public static String nodePrincipal(String fqdn) {
        return "User:CN=" + fqdn;
    }

    /** The scope {@code text} of user {@code name}; each problem (naming the item, never a password) goes to {@code why}. */
    static Scope scope(String text, String name, Role role, List<String> why) {
        List<String> topics = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        List<String> txids = new ArrayList<>();
        java.util.Map<String, Double> quotas = new java.util.LinkedHashMap<>();
        if (text.isEmpty()) {
            why.add("the scope of " + name + " is empty: leave out the last ':' or write key=value items, e.g. topic=team-a.");
            return null;
        }
        for (String item : text.split(",", -1)) {
            int eq = item.indexOf('=');
            String key = eq < 0 ? item : item.substring(0, eq);
            String value = eq < 0 ? null : item.substring(eq + 1);
            String shown = dev.dockhand.agent.core.Names.printable(item);
            if (value == null) {
                why.add("the scope item '" + shown + "' of " + name + " is not key=value");
                continue;
            }
            switch (key) {
                case "topic", "group", "transactional-id" -> {
                    List<String> into = key.equals("topic") ? topics : key.equals("group") ? groups : txids;
                    String bad = prefixProblem(key, value);
                    if (bad != null) {
                        why.add("the " + key + " prefix '" + dev.dockhand.agent.core.Names.printable(value) + "' of " + name + " " + bad);
                    } else if (into.contains(value)) {
                        why.add("the " + key + " prefix '" + value + "' of " + name + " is given twice");
                    } else if (into.size() == MAX_PREFIXES) {
                        why.add(name + " has more than " + MAX_PREFIXES + " " + key + " prefixes");
                    } else {
                        into.add(value);
                    }
                }
                case "producer_byte_rate", "consumer_byte_rate", "request_percentage" -> {
                    boolean rate = !key.equals("request_percentage");
                    Double v = quota(value, rate);
                    if (quotas.containsKey(key)) {
                        why.add("the quota " + key + " of " + name + " is given twice");
                    } else if (v == null) {
                        why.add("the quota " + key + "='" + dev.dockhand.agent.core.Names.printable(value) + "' of " + name + " is not "
                                + (rate ? "a whole number of bytes a second from " + MIN_BYTE_RATE + " to " + MAX_BYTE_RATE
                                        : "a number from " + number(MIN_REQUEST_PERCENTAGE) + " to " + number(MAX_REQUEST_PERCENTAGE)));
                    } else {
                        quotas.put(key, v);
                    }
                }
                default -> why.add("unknown scope key '" + dev.dockhand.agent.core.Names.printable(key) + "' of " + name
                        + " (use topic, group, transactional-id, " + String.join(", ", QUOTA_KEYS) + ")");
            }
        }
        if (role == Role.ADMIN && (!topics.isEmpty() || !groups.isEmpty() || !txids.isEmpty())) {
            why.add(name + " is an admin, which may do everything: prefixes confine a client only (give it role client, or no prefix)");
        }
        return why.isEmpty() ? new Scope(topics, groups, txids, quotas) : null;
    }

    /** Why {@code p} cannot be a {@code kind} prefix, or null. */
    static String prefixProblem(String kind, String p) {
        if (p.equals("*")) {
            return "is '*', every name: a scoped user is confined to prefixes; leave the scope out for every name";
        }
        if (!PREFIX.matcher(p).matches()) {
            return "is not 1 to " + MAX_PREFIX + " characters of A-Z a-z 0-9 . _ - (Kafka's topic-name characters)";
        }
        if (kind.equals("topic") && ("__".startsWith(p) || p.startsWith("__"))) {
            return "would reach Kafka's internal topics (__consumer_offsets, __transaction_state): start it otherwise";
        }
        return null;
    }

    /** A quota value, or null when it is not one: a whole number in range for a byte rate, a number in range for request_percentage. */
    static Double quota(String s, boolean byteRate) {
        if (byteRate) {
            if (!s.matches("[0-9]{1,15}")) {
                return null;
            }
            long v = Long.parseLong(s);
            return v >= MIN_BYTE_RATE && v <= MAX_BYTE_RATE ? (double) v : null;
        }
        if (!s.matches("[0-9]{1,5}(\\.[0-9]{1,3})?")) {
            return null;
        }
        double v = Double.parseDouble(s);
        return v >= MIN_REQUEST_PERCENTAGE && v <= MAX_REQUEST_PERCENTAGE ? v : null;
    }

    static String passwordProblem(String p) {
        if (p.length() < MIN_PASSWORD || p.length() > MAX_PASSWORD) {
            return "has " + p.length() + " characters; give " + MIN_PASSWORD + " to " + MAX_PASSWORD;
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || PASSWORD_PUNCTUATION.indexOf(c) >= 0;
            if (!ok) {
                return "has a character outside A-Z a-z 0-9 " + PASSWORD_PUNCTUATION + " (at position " + (i + 1) + ")";
            }
        }
        return null;
    }

    /**
     * The users as the services that check logins over HTTP read them (the registry's writes, the
     * console): one {@code name:role:salt:hash:iterations} line each, the hash PBKDF2-HMAC-SHA256
     * ({@link HashedUsers#ITERATIONS}: 600,000 iterations) of the password; no password in it. Each salt is an HMAC-SHA256 of the user's name and
     * password under {@code saltKey} (a secret): unique to the user and password, unpredictable without
     * the key, and the same from one render to the next, so an unchanged users file renders an unchanged
     * hashed one and restarts nothing.
     */
    public String hashedFile(byte[] saltKey) {
        return hashedFile(saltKey, null);
    }

    /**
     * As {@link #hashedFile(byte[])}, taking each hash that {@code previous} (an earlier hashed file, or
     * null) already holds for the same name and salt: the salt is keyed by the password, so the same salt
     * means the same password. A reload or restart hashes only new or changed passwords, which keeps a
     * large users file from costing a hash per user at every start.
     */
    public String hashedFile(byte[] saltKey, String previous) {
        java.util.Map<String, String> known = HashedUsers.hashesBySalt(previous);
        StringBuilder sb = new StringBuilder("# rendered by the dockhand agent from the cluster's users file: no password in it\n");
        for (User u : users) {
            byte[] salt = java.util.Arrays.copyOf(hmac(saltKey, u.name() + ":" + u.password()), 16);
            String salt64 = Base64.getEncoder().encodeToString(salt);
            String hash64 = known.get(u.name() + ":" + salt64);
            if (hash64 == null) {
                hash64 = Base64.getEncoder().encodeToString(HashedUsers.hash(u.password(), salt));
            }
            HashedUsers.line(sb, u.name(), u.role(), salt64, hash64);
        }
        return sb.toString();
    }

    /** The users in the users file's own format: what {@link #read} reads back as these users. */
    public String usersFile() {
        StringBuilder sb = new StringBuilder("# the users file as the dockhand agent last found it valid\n");
        for (User u : users) {
            sb.append(u.name()).append(':').append(u.password()).append(':').append(u.role());
            String scope = u.scope().spelled();
            if (!scope.isEmpty()) {
                sb.append(':').append(scope);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** As {@link #hashedFile(byte[])} with random salts. */
    public String hashedFile() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return hashedFile(key);
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(utf8(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For tests and logs: the names, without passwords. */
    @Override
    public String toString() {
        return users.toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
