package dev.dockhand.connect.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PEM key store as Jetty uses it: by JCA type, through the JDK's key and trust manager factories, in a real TLS handshake. */
class PemKeyStoreTest {
    static String keyPem;
    static String certPem;

    @BeforeAll
    static void keyAndCertificate(@TempDir Path dir) throws Exception {
        Path p12 = dir.resolve("t.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-keyalg", "EC",
                "-groupname", "secp256r1", "-alias", "t", "-dname", "CN=localhost", "-ext", "san=dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        keyPem = pem("PRIVATE KEY", ((PrivateKey) ks.getKey("t", "changeit".toCharArray())).getEncoded());
        certPem = pem("CERTIFICATE", ks.getCertificate("t").getEncoded());
        Security.addProvider(new PemKeyStore.DockhandProvider());
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static KeyStore load(String text) throws Exception {
        KeyStore ks = KeyStore.getInstance(PemKeyStore.TYPE);
        ks.load(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), null);
        return ks;
    }

    @Test
    void keyAndChainIsOneKeyEntryCertificatesAloneAreTrusted() throws Exception {
        KeyStore node = load(keyPem + certPem);
        assertEquals(1, node.size());
        assertTrue(node.isKeyEntry("node"));
        assertEquals(1, node.getCertificateChain("node").length);
        KeyStore trust = load(certPem + certPem);
        assertEquals(2, trust.size());
        assertTrue(trust.isCertificateEntry("ca-1") && trust.isCertificateEntry("ca-2"));
        assertThrows(UnsupportedOperationException.class, () -> trust.deleteEntry("ca-1"));
    }

    @Test
    void whatIsNotTheNodesPemIsRefused() {
        assertThrows(IOException.class, () -> load(keyPem));
        assertThrows(IOException.class, () -> load("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n" + certPem));
        assertThrows(IOException.class, () -> load(keyPem + keyPem + certPem));
    }

    @Test
    void aTlsHandshakeWithTheStoresAsJettyMakesIt() throws Exception {
        // Jetty: KeyManagerFactory over the key store with no password, TrustManagerFactory over the trust store
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(load(keyPem + certPem), null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(load(certPem));
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    int b = s.getInputStream().read();
                    s.getOutputStream().write(b + 1);
                    s.getOutputStream().flush();
                    return b;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
                var params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                params.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName("localhost")));
                s.setSSLParameters(params);
                OutputStream o = s.getOutputStream();
                o.write(41);
                o.flush();
                assertEquals(42, s.getInputStream().read());
                Certificate[] peer = s.getSession().getPeerCertificates();
                assertArrayEquals(load(keyPem + certPem).getCertificateChain("node"), peer);
            }
            assertEquals(41, served.get());
        }
    }
}
