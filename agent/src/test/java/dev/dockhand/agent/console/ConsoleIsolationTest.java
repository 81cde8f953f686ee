package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.cli.AgentCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The console and kafka-clients must stay out of PID-1 mode: no class outside the console package
 * (and {@code cli.ConsoleCommand}, which calls it by a JDK-typed method) refers to them, and the
 * whole command line can be built and run where they cannot be loaded at all.
 */
class ConsoleIsolationTest {
    private static final String CONSOLE = "dev/dockhand/agent/console/";
    private static final String COMMAND = "dev/dockhand/agent/cli/ConsoleCommand";
    /** The other package on Kafka's client (a secured cluster's users and ACLs), and its one caller. */
    private static final String ACCESS = "dev/dockhand/agent/access/";
    private static final String ACCESS_COMMAND = "dev/dockhand/agent/cli/KafkaAccessCommand";

    @Test
    void noClassOutsideTheConsoleRefersToItOrToKafka() throws Exception {
        Path classes = Path.of(AgentCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('\\', '/');
                if (name.startsWith(CONSOLE) || name.startsWith(ACCESS)) {
                    continue;
                }
                scanned++;
                // Class names sit in the constant pool as plain (modified UTF-8) text.
                String pool = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                if (pool.contains("org/apache/kafka")) {
                    offenders.add(name + " refers to org.apache.kafka");
                }
                if (!name.startsWith(COMMAND) && pool.contains(CONSOLE)) {
                    offenders.add(name + " refers to the console package");
                }
                if (!name.startsWith(ACCESS_COMMAND) && pool.contains(ACCESS)) {
                    offenders.add(name + " refers to the access package");
                }
            }
        }
        assertTrue(scanned > 10, "scanned " + scanned + " classes in " + classes);
        // The scan sees references: ConsoleCommand's call into the console shows up the same way.
        String command = new String(Files.readAllBytes(classes.resolve(COMMAND + ".class")), StandardCharsets.ISO_8859_1);
        assertTrue(command.contains(CONSOLE + "ConsoleMain"), "the scan finds ConsoleCommand's reference");
        assertEquals(List.of(), offenders);
    }

    @Test
    void consoleCommandSignaturesUseNoConsoleType() throws Exception {
        for (String command : List.of("dev.dockhand.agent.cli.ConsoleCommand", "dev.dockhand.agent.cli.KafkaAccessCommand")) {
            Class<?> c = Class.forName(command);
            for (var m : c.getDeclaredMethods()) {
                assertTrue(Stream.concat(Stream.of(m.getReturnType()), Stream.of(m.getParameterTypes()))
                        .noneMatch(t -> t.getName().contains(".console.") || t.getName().contains(".access.")), m.toString());
            }
            for (var f : c.getDeclaredFields()) {
                assertTrue(!f.getType().getName().contains(".console.") && !f.getType().getName().contains(".access."), f.toString());
            }
        }
    }

    @Test
    void commandLineBuildsAndRunsWhereConsoleAndKafkaCannotLoad() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        List<String> refused = new ArrayList<>();
        try (URLClassLoader fresh = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("org.apache.kafka.") || name.startsWith("dev.dockhand.agent.console.")
                        || name.startsWith("dev.dockhand.agent.access.")) {
                    refused.add(name);
                    throw new ClassNotFoundException("refused in PID-1 mode: " + name);
                }
                return super.loadClass(name, resolve);
            }
        }) {
            Class<?> agent = Class.forName("dev.dockhand.agent.cli.AgentCommand", true, fresh);
            Object cl = agent.getMethod("commandLine", Map.class).invoke(null, Map.of());
            StringWriter out = new StringWriter();
            cl.getClass().getMethod("setOut", PrintWriter.class).invoke(cl, new PrintWriter(out));
            int help = (int) cl.getClass().getMethod("execute", String[].class).invoke(cl, (Object) new String[] {"--help"});
            int version = (int) cl.getClass().getMethod("execute", String[].class).invoke(cl, (Object) new String[] {"version"});
            assertEquals(0, help);
            assertEquals(0, version);
            assertTrue(out.toString().contains("console"), "the console subcommand is listed:\n" + out);
        }
        assertEquals(List.of(), refused, "classes the command line tried to load");
    }
}
