package dev.dockhand.agent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PKI the agent did not write: OpenSSL makes a root CA, an intermediate under it, and node
 * certificates from the intermediate, in the form cert-manager hands them over ({@code tls.crt}: the
 * node's certificate then the intermediate; {@code tls.key}: PKCS #8; {@code ca.crt}: the root).
 */
public final class OutsidePki {
    private final Path dir;
    public final Path rootCrt;
    public final Path intermediateCrt;
    private final Path intermediateKey;
    private int serial = 1;

    /** A root and an intermediate in {@code dir}; needs the openssl command. */
    public OutsidePki(Path dir, String name) throws IOException {
        this.dir = dir;
        Path rootKey = key(name + "-root");
        rootCrt = dir.resolve(name + "-root.crt");
        openssl("req", "-x509", "-new", "-key", rootKey.toString(), "-subj", "/CN=" + name + " root", "-days", "30",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", rootCrt.toString());
        intermediateKey = key(name + "-int");
        intermediateCrt = sign(name + "-int", intermediateKey, "/CN=" + name + " intermediate", rootCrt, rootKey,
                "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n");
    }

    /** Whether openssl runs here. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A node's pair as cert-manager writes it: {@code [tls.crt, tls.key]}; {@code ext} the leaf's extensions. */
    public Path[] node(String file, String subject, String ext) throws IOException {
        Path key = key(file);
        Path leaf = sign(file + "-leaf", key, subject, intermediateCrt, intermediateKey, ext);
        Path crt = dir.resolve(file + ".crt");
        Files.writeString(crt, Files.readString(leaf) + Files.readString(intermediateCrt));
        return new Path[] {crt, key};
    }

    /** A node's pair for {@code dnsNames}, for TLS servers and clients, as a cert-manager Certificate with those usages. */
    public Path[] node(String file, String... dnsNames) throws IOException {
        List<String> sans = new ArrayList<>();
        for (String n : dnsNames) {
            sans.add("DNS:" + n);
        }
        return node(file, "/CN=" + dnsNames[0], "subjectAltName=" + String.join(",", sans)
                + "\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n");
    }

    private Path key(String name) throws IOException {
        Path key = dir.resolve(name + ".key");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return key;
    }

    private Path sign(String name, Path key, String subject, Path caCrt, Path caKey, String ext) throws IOException {
        Path csr = dir.resolve(name + ".csr");
        Path extFile = Files.writeString(dir.resolve(name + ".ext"), ext);
        Path crt = dir.resolve(name + ".crt");
        openssl("req", "-new", "-key", key.toString(), "-subj", subject, "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCrt.toString(), "-CAkey", caKey.toString(), "-set_serial",
                String.valueOf(serial++ + System.nanoTime() % 1_000_000 * 100), "-days", "20", "-extfile", extFile.toString(),
                "-out", crt.toString());
        return crt;
    }

    static String openssl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }
}
