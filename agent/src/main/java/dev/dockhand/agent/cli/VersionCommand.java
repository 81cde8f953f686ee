package dev.dockhand.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code agent version}. */
@Command(name = "version", description = "Print the agent's version.")
public final class VersionCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println("dockhand agent " + version());
        spec.commandLine().getOut().flush();
        return 0;
    }

    static String version() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("/dockhand-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** For {@code agent --version}. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dockhand agent " + version()};
        }
    }
}
