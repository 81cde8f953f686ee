package dev.dockhand.agent.access;

import dev.dockhand.agent.security.Users;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A KRaft node's first storage format ({@code kafka-storage format}), with the users of a secured cluster
 * in the bootstrap metadata: {@code --add-scram} with a SCRAM-SHA-512 and a SCRAM-SHA-256 credential for
 * every user of the users file, so that the credentials exist before any listener accepts a client and no
 * window opens where a user cannot log in or where Kafka runs without them.
 *
 * <p>The passwords never reach a process's argv (any process of the container reads {@code /proc/PID/cmdline})
 * nor a log: this class reads the agent's checked copy of the users file ({@code @@TLS_DIR@@/users}, 0600),
 * builds the {@code --add-scram} arguments in memory and calls Kafka's {@code kafka.tools.StorageTool} in this
 * JVM, by reflection, from Kafka's own lib dir in a class loader of its own (the agent's jar carries other
 * versions of Kafka's dependencies, and no Kafka). Kafka 4.4's tool prints no argument, but it prints the whole
 * bootstrap metadata it writes, the users' SCRAM records included (salt, stored and server key: the SCRAM form of
 * a password, which no log may hold): its output goes through {@link SecretLineFilter}, which drops such lines and
 * says so. A malformed argument (none can be: a users-file name and password are single words without
 * {@code , = [ ] "}) would be quoted in Kafka's message, whose passwords are masked.
 *
 * <pre>
 * java -cp agent.jar dev.dockhand.agent.access.StorageFormat KAFKA_LIB SECURITY USERS_FILE format --cluster-id ... --config ...
 * </pre>
 *
 * {@code SECURITY} is the node's ({@code tls} or {@code plaintext}): a plaintext node formats without users.
 * The exit code is StorageTool's (0 formatted), 2 for a users file that cannot be used (named, never its
 * content).
 */
public final class StorageFormat {
    /** Kafka's tool: {@code kafka-storage} runs it. */
    static final String STORAGE_TOOL = "kafka.tools.StorageTool";
    /** The mechanisms every user gets a credential of: the clients pick either. */
    static final List<String> MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256");

    private StorageFormat() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: StorageFormat KAFKA_LIB tls|plaintext USERS_FILE format ARGS...");
            System.exit(2);
        }
        Path lib = Path.of(args[0]);
        boolean secured = "tls".equals(args[1]);
        List<String> toolArgs = new ArrayList<>(List.of(args).subList(3, args.length));
        List<String> secrets = new ArrayList<>();
        if (secured) {
            List<String> problems = new ArrayList<>();
            Users users = Users.read(Path.of(args[2]), "the agent's copy of AGENT_USERS_FILE", problems);
            if (users == null) {
                problems.forEach(p -> System.err.println("format: " + p));
                System.exit(2);
            }
            toolArgs.addAll(scramArguments(users));
            users.all().forEach(u -> secrets.add(u.password()));
            System.out.println("format: with the SCRAM-SHA-512 and SCRAM-SHA-256 credentials of " + users.all().size()
                    + " user(s) in the bootstrap metadata");
        }
        run(lib, toolArgs.toArray(String[]::new), secrets);
    }

    /** {@code --add-scram MECHANISM=[name=NAME,password=PASSWORD]} for every user and mechanism; secret. */
    static List<String> scramArguments(Users users) {
        List<String> out = new ArrayList<>();
        for (Users.User u : users.all()) {
            for (String m : MECHANISMS) {
                out.add("--add-scram");
                out.add(m + "=[name=" + u.name() + ",password=" + u.password() + "]");
            }
        }
        return out;
    }

    private static void run(Path lib, String[] args, List<String> secrets) throws IOException, ReflectiveOperationException {
        List<URL> jars = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(lib, "*.jar")) {
            for (Path j : d) {
                jars.add(url(j));
            }
        }
        if (jars.isEmpty()) {
            System.err.println("format: no Kafka jar in " + lib);
            System.exit(2);
        }
        java.io.PrintStream out = SecretLineFilter.around(System.out);
        java.io.PrintStream err = SecretLineFilter.around(System.err);
        System.setOut(out);
        System.setErr(err);
        // StorageTool ends the JVM itself: a last line without its newline is shown (filtered) on the way out
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.close();
            err.close();
        }));
        ClassLoader kafka = new URLClassLoader(jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(kafka);
        Method main = Class.forName(STORAGE_TOOL, true, kafka).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args); // StorageTool exits the JVM itself, with its code
        } catch (InvocationTargetException e) {
            // its message, never a password, should a message quote an argument
            Throwable cause = e.getCause() == null ? e : e.getCause();
            System.err.println("format: " + cause.getClass().getName() + ": " + masked(String.valueOf(cause.getMessage()), secrets));
            System.exit(1);
        }
        System.exit(0);
    }

    /** {@code text} with every one of {@code secrets} replaced by {@code ***}. */
    static String masked(String text, List<String> secrets) {
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, "***");
        }
        return out;
    }

    private static URL url(Path p) throws MalformedURLException {
        return p.toUri().toURL();
    }
}
