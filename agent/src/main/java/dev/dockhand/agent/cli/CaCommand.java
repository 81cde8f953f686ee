package dev.dockhand.agent.cli;

import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.render.FileWriter;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.Pem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code agent ca init}: makes a cluster CA for those who have none. */
@Command(name = "ca", description = "The cluster's certificate authority, from which every node issues itself a certificate.",
        subcommands = {CaCommand.Init.class})
public final class CaCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "init", description = {
        "Make a cluster CA: an EC P-256 key (ca.key, mode 0600) and a self-signed CA certificate (ca.crt) in DIR.",
        "Give both to every node as AGENT_CA_CERT_FILE and AGENT_CA_KEY_FILE (a Kubernetes or Compose secret).",
        "Refuses to overwrite an existing ca.crt or ca.key."})
    static final class Init implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where ca.crt and ca.key are written (created 0700 if missing)")
        Path out;

        @Option(names = "--days", paramLabel = "N", defaultValue = "3650", description = "validity of the CA certificate in days (default 3650)")
        long days;

        @Option(names = "--name", paramLabel = "CN", defaultValue = "dockhand cluster CA", description = "the CA's common name")
        String name;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (days < 1 || days > 36_500) {
                throw new InvalidInputException("--days " + days + ": give a number of days from 1 to 36500");
            }
            if (name.isBlank() || name.length() > 64 || Names.hasControl(name)) {
                throw new InvalidInputException("--name: give a common name of 1 to 64 printable characters");
            }
            Path cert = out.resolve("ca.crt");
            Path key = out.resolve("ca.key");
            for (Path p : new Path[] {cert, key}) {
                if (Files.exists(p)) {
                    throw new InvalidInputException(p + " exists; a CA is made once: remove it or choose another --out");
                }
            }
            ClusterCa ca = ClusterCa.create(name, Instant.now(), days);
            try {
                FileWriter.createDirectories(out);
                // the key is 0600 from its first byte, and never replaces a file that appeared meanwhile
                Files.writeString(key, Pem.privateKey(ca.key()), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(cert, Pem.certificate(ca.certificate()), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
            } catch (FileAlreadyExistsException e) {
                throw new InvalidInputException(e.getFile() + " exists; a CA is made once: remove it or choose another --out");
            } catch (IOException e) {
                throw new InvalidInputException("cannot write the CA into " + out + ": " + dev.dockhand.agent.core.InputFiles.reason(e));
            }
            PrintWriter w = spec.commandLine().getOut();
            w.printf("wrote %s (the CA's certificate, valid until %s) and %s (its key, mode 0600: keep it secret)%n", cert,
                    ca.certificate().getNotAfter().toInstant(), key);
            w.printf("give both to every node: AGENT_CA_CERT_FILE=%s AGENT_CA_KEY_FILE=%s%n", cert, key);
            w.flush();
            return ExitCode.OK.code;
        }
    }
}
