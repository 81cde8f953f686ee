package dev.dockhand.agent.security;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PEM (RFC 7468) as the services of the image read it: certificates ({@code CERTIFICATE}) and
 * unencrypted PKCS #8 private keys ({@code PRIVATE KEY}), the form {@code openssl genpkey} and
 * {@code agent ca init} write. Kafka, ZooKeeper and Quarkus all read PEM files directly, so the node
 * needs no keystore and no keystore password.
 */
public final class Pem {
    private Pem() {}

    /** Why a PEM input cannot be used; the message reads after the file's name. */
    public static final class BadPem extends Exception {
        public BadPem(String message) {
            super(message);
        }
    }

    public static String certificate(X509Certificate c) {
        try {
            return block("CERTIFICATE", c.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String privateKey(PrivateKey k) {
        if (!"PKCS#8".equals(k.getFormat())) {
            throw new IllegalArgumentException("not a PKCS #8 key: " + k.getFormat());
        }
        return block("PRIVATE KEY", k.getEncoded());
    }

    private static String block(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
    }

    /** Every certificate in {@code text}, in order; at least one. */
    public static List<X509Certificate> certificates(String text) throws BadPem {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory cf;
        try {
            cf = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
        for (byte[] der : blocks(text, "CERTIFICATE")) {
            try {
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException e) {
                throw new BadPem("holds a CERTIFICATE block that is not an X.509 certificate (" + e.getMessage() + ")");
            }
        }
        if (out.isEmpty()) {
            throw new BadPem("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    /** The one unencrypted PKCS #8 private key in {@code text} (EC or RSA). */
    public static PrivateKey privateKey(String text) throws BadPem {
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new BadPem("holds an encrypted private key; give it unencrypted (openssl pkcs8 -topk8 -nocrypt), in a file "
                    + "only the agent's user can read");
        }
        if (text.contains("-----BEGIN EC PRIVATE KEY-----") || text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            throw new BadPem("holds a private key in the older SEC 1 / PKCS #1 form; convert it to PKCS #8 with "
                    + "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        List<byte[]> keys = blocks(text, "PRIVATE KEY");
        if (keys.size() != 1) {
            throw new BadPem(keys.isEmpty() ? "holds no PEM private key (-----BEGIN PRIVATE KEY-----)"
                    : "holds " + keys.size() + " private keys; give one");
        }
        // EdDSA (Ed25519, Ed448) is read so that the CA's check can say why such a CA is refused
        for (String alg : new String[] {"EC", "RSA", "EdDSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(keys.get(0)));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new BadPem("holds a PRIVATE KEY block that is no EC, RSA or EdDSA PKCS #8 key");
    }

    private static List<byte[]> blocks(String text, String type) throws BadPem {
        List<byte[]> out = new ArrayList<>();
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int at = 0;
        while (true) {
            int b = text.indexOf(begin, at);
            if (b < 0) {
                return out;
            }
            int e = text.indexOf(end, b);
            if (e < 0) {
                throw new BadPem("has a " + begin + " without its " + end);
            }
            String body = text.substring(b + begin.length(), e).replaceAll("\\s", "");
            try {
                out.add(Base64.getDecoder().decode(body));
            } catch (IllegalArgumentException ex) {
                throw new BadPem("has a " + type + " block that is not base64");
            }
            at = e + end.length();
        }
    }
}
