package dev.dockhand.agent.cli;

import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.render.FileWriter;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.Pem;
import dev.dockhand.agent.security.Users;
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

/** {@code agent ca init}: makes a cluster CA for those who have none; {@code agent ca issue}: a node certificate from it. */
@Command(name = "ca", description = "The cluster's certificate authority, from which every node issues itself a certificate.",
        subcommands = {CaCommand.Init.class, CaCommand.Issue.class})
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
        "With --users, also a users file (DIR/users, mode 0600) with a random password for each: AGENT_USERS_FILE.",
        "Refuses to overwrite an existing ca.crt, ca.key or users."})
    static final class Init implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where ca.crt and ca.key are written (created 0700 if missing)")
        Path out;

        @Option(names = "--days", paramLabel = "N", defaultValue = "3650", description = "validity of the CA certificate in days (default 3650)")
        long days;

        @Option(names = "--name", paramLabel = "CN", defaultValue = "dockhand cluster CA", description = "the CA's common name")
        String name;

        @Option(names = "--users", paramLabel = "NAME[:admin],...", split = ",",
                description = "users to make, each with a random 24-character password (role client unless :admin)")
        java.util.List<String> users = java.util.List.of();

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
            if (Names.hasControl(out.toString())) {
                // the same limit as the node's own paths (--data-dir, --out of render): the path is printed,
                // handed to every node in a variable, and would land in rendered files
                throw new InvalidInputException("--out '" + Names.printable(out.toString())
                        + "' has a control character; choose a plain directory name");
            }
            Path cert = out.resolve("ca.crt");
            Path key = out.resolve("ca.key");
            Path usersFile = out.resolve("users");
            String usersText = usersText(users);
            for (Path p : usersText == null ? new Path[] {cert, key} : new Path[] {cert, key, usersFile}) {
                if (Files.exists(p)) {
                    throw new InvalidInputException(p + " exists; a CA is made once: remove it or choose another --out");
                }
            }
            ClusterCa ca = ClusterCa.create(name, Instant.now(), days);
            try {
                FileWriter.createDirectories(out);
                // secrets are 0600 from their first byte, and never replace a file that appeared meanwhile
                secret(key, Pem.privateKey(ca.key()));
                if (usersText != null) {
                    secret(usersFile, usersText);
                }
                Files.writeString(cert, Pem.certificate(ca.certificate()), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
            } catch (FileAlreadyExistsException e) {
                throw new InvalidInputException(e.getFile() + " exists; a CA is made once: remove it or choose another --out");
            } catch (IOException e) {
                throw new InvalidInputException("cannot write the CA into " + out + ": " + dev.dockhand.agent.core.InputFiles.reason(e));
            }
            PrintWriter w = spec.commandLine().getOut();
            w.printf("wrote %s (the CA's certificate, valid until %s) and %s (its key, mode 0600: keep it secret)%n", cert,
                    ca.certificate().getNotAfter().toInstant(), key);
            String soon = ClusterCa.expiryWarning(ca.certificate(), Instant.now());
            if (soon != null) {
                w.printf("warning: %s%n", soon); // what every node will log at start
            }
            if (usersText != null) {
                w.printf("wrote %s (%d user(s), each with a random password: read them there, mode 0600)%n", usersFile, users.size());
                w.printf("give all three to every node: AGENT_CA_CERT_FILE=%s AGENT_CA_KEY_FILE=%s AGENT_USERS_FILE=%s%n", cert, key,
                        usersFile);
            } else {
                w.printf("give both to every node: AGENT_CA_CERT_FILE=%s AGENT_CA_KEY_FILE=%s, and a users file as AGENT_USERS_FILE "
                        + "(NAME:PASSWORD[:admin] per line, mode 0600)%n", cert, key);
            }
            w.flush();
            return ExitCode.OK.code;
        }

        private static void secret(Path file, String text) throws IOException {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        private static final String PASSWORD_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

        /** The users file of {@code specs} with random passwords, or null when none is asked for. */
        static String usersText(java.util.List<String> specs) {
            if (specs.isEmpty()) {
                return null;
            }
            if (specs.size() > Users.MAX_USERS) {
                throw new InvalidInputException("--users: " + specs.size() + " users; a cluster's users file holds at most " + Users.MAX_USERS);
            }
            java.security.SecureRandom random = new java.security.SecureRandom();
            StringBuilder sb = new StringBuilder("# NAME:PASSWORD[:admin], made by agent ca init\n");
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String spec : specs) {
                String[] f = spec.split(":", -1);
                boolean admin = f.length == 2 && f[1].equals("admin");
                if (f.length > 2 || (f.length == 2 && !admin) || !Users.NAME.matcher(f[0]).matches()) {
                    throw new InvalidInputException("--users " + Names.printable(spec) + ": give NAME or NAME:admin, the name "
                            + Users.NAME_RULE);
                }
                if (!seen.add(f[0])) {
                    throw new InvalidInputException("--users: " + f[0] + " is given twice");
                }
                StringBuilder pw = new StringBuilder();
                for (int i = 0; i < 24; i++) {
                    pw.append(PASSWORD_CHARS.charAt(random.nextInt(PASSWORD_CHARS.length())));
                }
                sb.append(f[0]).append(':').append(pw).append(admin ? ":admin" : "").append('\n');
            }
            return sb.toString();
        }
    }

    @Command(name = "issue", description = {
        "Issue one node's certificate from the CA in DIR (ca.crt, ca.key), where the CA key lives: FQDN.crt (the",
        "certificate, then the CA) and FQDN.key (mode 0600) in --out. Give them to that node as AGENT_TLS_CERT_FILE and",
        "AGENT_TLS_KEY_FILE: it then needs no CA key. Re-run before two thirds of --days; the running node takes the new files.",
        "Replaces an earlier pair for the same name (key first, then certificate, each by a rename)."})
    static final class Issue implements Callable<Integer> {
        @Option(names = "--ca", required = true, paramLabel = "DIR", description = "where ca.crt and ca.key are (as agent ca init wrote them)")
        Path caDir;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where FQDN.crt and FQDN.key are written")
        Path out;

        @Option(names = "--name", required = true, paramLabel = "FQDN", description = "the node's name as AGENT_NODES has it")
        String name;

        @Option(names = "--days", paramLabel = "N", defaultValue = "90", description = "validity in days (default 90, at most 397)")
        long days;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (days < 1 || days > 397) {
                throw new InvalidInputException("--days " + days + ": give a number of days from 1 to 397 (the browsers' limit)");
            }
            if (!name.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*") || name.length() > 253) {
                throw new InvalidInputException("--name '" + Names.printable(name) + "' is not a host name: give the node's FQDN");
            }
            if (Names.hasControl(out.toString()) || Names.hasControl(caDir.toString())) {
                throw new InvalidInputException("--out or --ca has a control character; choose a plain directory name");
            }
            java.util.List<String> problems = new java.util.ArrayList<>();
            Instant now = Instant.now();
            ClusterCa ca = ClusterCa.read(caDir.resolve("ca.crt"), "--ca", caDir.resolve("ca.key"), "--ca", now, problems);
            if (ca == null) {
                throw new InvalidInputException(problems);
            }
            var node = dev.dockhand.agent.security.NodeTls.issue(ca, name, null, java.util.List.of(name), now, java.time.Duration.ofDays(days));
            Path cert = out.resolve(name + ".crt");
            Path key = out.resolve(name + ".key");
            try {
                FileWriter.createDirectories(out);
                // each file replaced whole by a rename: a node that looks meanwhile sees the old pair or a new
                // certificate with the old key, which it refuses and looks at again
                replace(key, node.keyPem(), true);
                replace(cert, node.chainPem(), false);
            } catch (IOException e) {
                throw new InvalidInputException("cannot write into " + out + ": " + dev.dockhand.agent.core.InputFiles.reason(e));
            }
            PrintWriter w = spec.commandLine().getOut();
            w.printf("wrote %s (valid until %s, issued by %s) and %s (mode 0600)%n", cert, node.notAfter(),
                    ca.certificate().getSubjectX500Principal().getName(), key);
            w.printf("give them to %s as AGENT_TLS_CERT_FILE=%s AGENT_TLS_KEY_FILE=%s; re-issue before %s%n", name, cert, key,
                    node.renewAt());
            w.flush();
            return ExitCode.OK.code;
        }

        private static void replace(Path file, String text, boolean secret) throws IOException {
            dev.dockhand.agent.core.AtomicFile.replace(file, text, secret ? "rw-------" : "rw-r--r--");
        }
    }
}
