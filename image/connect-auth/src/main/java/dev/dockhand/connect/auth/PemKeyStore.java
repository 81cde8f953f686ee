package dev.dockhand.connect.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStoreSpi;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read-only JCA key store of type {@value #TYPE} over the PEM files the agent keeps for a secured node:
 * {@code node.pem} (an unencrypted PKCS #8 {@code PRIVATE KEY}, then the node's certificate and its
 * issuers) becomes one key entry {@code node}; {@code ca.crt} (certificates only) one trusted entry per
 * certificate. For the Connect worker's REST server and client (Jetty), which load their key and trust
 * stores by JCA type only ({@code listeners.https.ssl.keystore.type}) where Kafka's own clients read PEM
 * themselves: so the node needs no PKCS12 copy of its key and no key store password (ADR 023). Passwords
 * given are ignored: the files are protected by their mode (0600), as for every other service.
 */
public final class PemKeyStore extends KeyStoreSpi {
    public static final String TYPE = "PEM";
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    /** The provider that offers this key store; the worker's main class installs it. */
    public static final class DockhandProvider extends Provider {
        public static final String NAME = "DockhandPem";

        public DockhandProvider() {
            super(NAME, "1", "dockhand: PEM key and trust stores for the Connect worker's REST API");
            putService(new Service(this, "KeyStore", TYPE, PemKeyStore.class.getName(), null, null));
        }
    }

    private record Entry(PrivateKey key, Certificate[] chain, Certificate trusted) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    @Override
    public void engineLoad(InputStream stream, char[] password) throws IOException {
        entries.clear();
        if (stream == null) {
            return;
        }
        String text = new String(stream.readAllBytes(), StandardCharsets.US_ASCII);
        List<X509Certificate> certs = new ArrayList<>();
        byte[] key = null;
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                switch (m.group(1)) {
                    case "CERTIFICATE" -> certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
                    case "PRIVATE KEY" -> {
                        if (key != null) {
                            throw new IOException("more than one PRIVATE KEY");
                        }
                        key = der;
                    }
                    default -> throw new IOException("a PEM block of type " + m.group(1) + ": only CERTIFICATE and PRIVATE KEY (PKCS #8) are read");
                }
            }
            if (certs.isEmpty()) {
                throw new IOException("no CERTIFICATE in it");
            }
            if (key != null) {
                String algorithm = certs.get(0).getPublicKey().getAlgorithm();
                PrivateKey pk = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(key));
                entries.put("node", new Entry(pk, certs.toArray(new Certificate[0]), null));
            } else {
                for (int i = 0; i < certs.size(); i++) {
                    entries.put("ca-" + (i + 1), new Entry(null, null, certs.get(i)));
                }
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("not a PEM key store: " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
    }

    @Override
    public Key engineGetKey(String alias, char[] password) {
        Entry e = entries.get(alias);
        return e == null ? null : e.key();
    }

    @Override
    public Certificate[] engineGetCertificateChain(String alias) {
        Entry e = entries.get(alias);
        return e == null || e.chain() == null ? null : e.chain().clone();
    }

    @Override
    public Certificate engineGetCertificate(String alias) {
        Entry e = entries.get(alias);
        return e == null ? null : e.trusted() != null ? e.trusted() : e.chain()[0];
    }

    @Override
    public Date engineGetCreationDate(String alias) {
        return entries.containsKey(alias) ? new Date(0) : null;
    }

    @Override
    public Enumeration<String> engineAliases() {
        return Collections.enumeration(new ArrayList<>(entries.keySet()));
    }

    @Override
    public boolean engineContainsAlias(String alias) {
        return entries.containsKey(alias);
    }

    @Override
    public int engineSize() {
        return entries.size();
    }

    @Override
    public boolean engineIsKeyEntry(String alias) {
        Entry e = entries.get(alias);
        return e != null && e.key() != null;
    }

    @Override
    public boolean engineIsCertificateEntry(String alias) {
        Entry e = entries.get(alias);
        return e != null && e.trusted() != null;
    }

    @Override
    public String engineGetCertificateAlias(Certificate cert) {
        for (var e : entries.entrySet()) {
            if (cert.equals(engineGetCertificate(e.getKey()))) {
                return e.getKey();
            }
        }
        return null;
    }

    @Override
    public void engineSetKeyEntry(String alias, Key key, char[] password, Certificate[] chain) {
        throw new UnsupportedOperationException("read-only: the agent writes the node's PEM files");
    }

    @Override
    public void engineSetKeyEntry(String alias, byte[] key, Certificate[] chain) {
        throw new UnsupportedOperationException("read-only: the agent writes the node's PEM files");
    }

    @Override
    public void engineSetCertificateEntry(String alias, Certificate cert) {
        throw new UnsupportedOperationException("read-only: the agent writes the node's PEM files");
    }

    @Override
    public void engineDeleteEntry(String alias) {
        throw new UnsupportedOperationException("read-only: the agent writes the node's PEM files");
    }

    @Override
    public void engineStore(OutputStream stream, char[] password) {
        throw new UnsupportedOperationException("read-only: the agent writes the node's PEM files");
    }
}
