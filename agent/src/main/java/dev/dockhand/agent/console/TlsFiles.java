package dev.dockhand.agent.console;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.security.Certificates;
import dev.dockhand.agent.security.Pem;
import dev.dockhand.agent.security.TlsContexts;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The console's TLS contexts from the PEM files its config names (on a secured node, the agent's
 * {@code node.key}, {@code node.crt} and {@code ca.crt}). Every problem names the key and the file,
 * so that a console that cannot start says which setting to fix; a key that is not the certificate's
 * is one of them (the handshakes would otherwise fail with a message about neither).
 */
final class TlsFiles {
    private TlsFiles() {}

    /** The page's HTTPS context: its key and chain. */
    static SSLContext server(ConsoleConfig.ListenTls tls, String source) {
        List<String> problems = new ArrayList<>();
        PrivateKey key = key(tls.key(), "listen.tls.key", source, problems);
        List<X509Certificate> chain = certificates(tls.certificate(), "listen.tls.certificate", source, problems);
        mustMatch(key, chain, "listen.tls.key", "listen.tls.certificate", source, problems);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        // no client certificate is asked for: the chain stands in for the (unused) trust anchors
        return TlsContexts.of(key, chain, chain);
    }

    /** The console's client context: trusts the CA; shows the key and certificate when given. */
    static SSLContext client(ConsoleConfig.ClientTls tls, String source) {
        List<String> problems = new ArrayList<>();
        List<X509Certificate> trusted = certificates(tls.ca(), "client.tls.ca", source, problems);
        PrivateKey key = null;
        List<X509Certificate> chain = List.of();
        if (tls.key() != null) {
            key = key(tls.key(), "client.tls.key", source, problems);
            chain = certificates(tls.certificate(), "client.tls.certificate", source, problems);
            mustMatch(key, chain, "client.tls.key", "client.tls.certificate", source, problems);
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return TlsContexts.of(key, chain, trusted);
    }

    private static PrivateKey key(Path file, String name, String source, List<String> problems) {
        try {
            return Pem.privateKey(InputFiles.read(file, InputFiles.SECRET_LIMIT));
        } catch (InputFiles.Refused | Pem.BadPem e) {
            problems.add(where(source, name, file) + " " + e.getMessage());
            return null;
        }
    }

    private static List<X509Certificate> certificates(Path file, String name, String source, List<String> problems) {
        try {
            return Pem.certificates(InputFiles.read(file, InputFiles.SECRET_LIMIT));
        } catch (InputFiles.Refused | Pem.BadPem e) {
            problems.add(where(source, name, file) + " " + e.getMessage());
            return List.of();
        }
    }

    private static void mustMatch(PrivateKey key, List<X509Certificate> chain, String keyName, String certName, String source,
            List<String> problems) {
        if (key != null && !chain.isEmpty() && !Certificates.keyMatches(key, chain.get(0))) {
            problems.add(source + ": key '" + keyName + "' is not the key of the first certificate of '" + certName
                    + "' (subject " + chain.get(0).getSubjectX500Principal().getName() + ")");
        }
    }

    private static String where(String source, String key, Path file) {
        return source + ": key '" + key + "': file " + file;
    }
}
