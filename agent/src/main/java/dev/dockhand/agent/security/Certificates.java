package dev.dockhand.agent.security;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Issues X.509 v3 certificates (RFC 5280) with the JDK's own signatures: a cluster CA's, and each
 * node's, signed by it. The JDK reads certificates but has no public API to write one, and a library
 * that can (Bouncy Castle, 9 MB) would stay resident in every agent: so the DER is written here
 * ({@link Der}), and every certificate is parsed back by the JDK's {@code CertificateFactory} and its
 * signature verified before it is used. The tests hold the result to OpenSSL's reading of it and to a
 * real TLS handshake.
 *
 * <p>Keys are EC P-256 (ECDSA with SHA-256): what Kafka, ZooKeeper, Quarkus and every TLS client of
 * this decade accept, with keys a tenth the size of RSA's and made in a millisecond.
 */
public final class Certificates {
    static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";
    /** ecdsa-with-SHA256, -SHA384, -SHA512 end in .2, .3, .4 (RFC 5758). */
    static final String ECDSA_SHA2 = "1.2.840.10045.4.3.";
    static final String SHA256_RSA = "1.2.840.113549.1.1.11";
    static final String CN = "2.5.4.3";
    static final String O = "2.5.4.10";
    static final String BASIC_CONSTRAINTS = "2.5.29.19";
    static final String KEY_USAGE = "2.5.29.15";
    static final String EXT_KEY_USAGE = "2.5.29.37";
    static final String SUBJECT_ALT_NAME = "2.5.29.17";
    static final String SUBJECT_KEY_ID = "2.5.29.14";
    static final String AUTHORITY_KEY_ID = "2.5.29.35";
    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    /** Key usage bits (RFC 5280 4.2.1.3). */
    static final int DIGITAL_SIGNATURE = 0;
    static final int KEY_CERT_SIGN = 5;
    static final int CRL_SIGN = 6;

    /** How long before "now" a certificate is valid from: clocks of the nodes of a cluster disagree a little. */
    static final long BACKDATE_SECONDS = 300;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {}

    /** A fresh EC P-256 key pair. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make EC P-256 keys", e);
        }
    }

    /** A self-signed CA certificate: {@code CA:TRUE}, may sign certificates, valid from now (less a few minutes) for {@code days}. */
    public static X509Certificate selfSignedCa(KeyPair key, String commonName, Instant now, long days) {
        return selfSignedCa(key, commonName, now, java.time.Duration.ofDays(days));
    }

    /** As {@link #selfSignedCa(KeyPair, String, Instant, long)}, valid for {@code lifetime}. */
    public static X509Certificate selfSignedCa(KeyPair key, String commonName, Instant now, java.time.Duration lifetime) {
        byte[] name = name(commonName, "dockhand");
        byte[] keyId = keyId(key.getPublic());
        List<byte[]> ext = new ArrayList<>();
        ext.add(extension(BASIC_CONSTRAINTS, true, Der.sequence(Der.bool(true))));
        ext.add(extension(KEY_USAGE, true, Der.namedBits(KEY_CERT_SIGN, CRL_SIGN)));
        ext.add(extension(SUBJECT_KEY_ID, false, Der.octets(keyId)));
        return sign(name, name, key.getPublic(), key.getPrivate(), null, now, lifetime, ext);
    }

    /**
     * A node's certificate: subject {@code CN=<first DNS name>}, every name in the subject alternative
     * names (DNS names, and IP addresses where a name is one), for TLS servers and clients alike,
     * signed by {@code caKey} as {@code ca}.
     */
    public static X509Certificate node(PublicKey nodeKey, List<String> names, X509Certificate ca, PrivateKey caKey, Instant now,
            long days) {
        return node(nodeKey, names.isEmpty() ? null : names.get(0), null, names, ca, caKey, now, java.time.Duration.ofDays(days));
    }

    /**
     * A certificate for {@code names} (subject alternative names) with subject
     * {@code CN=commonName[, O=organization]}: a node's, or one identity several nodes share (the
     * brokers' toward ZooKeeper, whose ACLs name one subject).
     */
    public static X509Certificate node(PublicKey nodeKey, String commonName, String organization, List<String> names, X509Certificate ca,
            PrivateKey caKey, Instant now, java.time.Duration lifetime) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a node certificate needs a name");
        }
        List<byte[]> sans = new ArrayList<>();
        for (String n : names) {
            byte[] ip = ipAddress(n);
            sans.add(ip != null ? Der.tagged(7, false, ip) : Der.tagged(2, false, n.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        }
        List<byte[]> ext = new ArrayList<>();
        ext.add(extension(BASIC_CONSTRAINTS, true, Der.sequence()));
        ext.add(extension(KEY_USAGE, true, Der.namedBits(DIGITAL_SIGNATURE)));
        ext.add(extension(EXT_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH), Der.oid(CLIENT_AUTH))));
        ext.add(extension(SUBJECT_ALT_NAME, false, Der.sequence(sans.toArray(byte[][]::new))));
        ext.add(extension(SUBJECT_KEY_ID, false, Der.octets(keyId(nodeKey))));
        ext.add(extension(AUTHORITY_KEY_ID, false, Der.sequence(Der.tagged(0, false, keyId(ca.getPublicKey())))));
        byte[] issuer = ca.getSubjectX500Principal().getEncoded();
        return sign(name(commonName, organization), issuer, nodeKey, caKey, ca, now, lifetime, ext);
    }

    private static X509Certificate sign(byte[] subject, byte[] issuer, PublicKey subjectKey, PrivateKey signer, X509Certificate signerCert,
            Instant now, java.time.Duration lifetime, List<byte[]> extensions) {
        boolean ec = "EC".equals(signer.getAlgorithm());
        // the hash as strong as the curve (P-384 with SHA-384, P-521 with SHA-512), as CAs sign by convention
        int bits = signer instanceof java.security.interfaces.ECKey k ? k.getParams().getCurve().getField().getFieldSize() : 256;
        int hash = bits > 384 ? 512 : bits > 256 ? 384 : 256;
        String jca = ec ? "SHA" + hash + "withECDSA" : "SHA256withRSA";
        // RFC 5754: ECDSA's AlgorithmIdentifier has no parameters; RSA's has NULL
        byte[] algorithm = ec ? Der.sequence(Der.oid(ECDSA_SHA2 + (hash == 256 ? 2 : hash == 384 ? 3 : 4)))
                : Der.sequence(Der.oid(SHA256_RSA), new byte[] {0x05, 0x00});
        byte[] serial = new byte[16];
        RANDOM.nextBytes(serial);
        serial[0] &= 0x7f; // positive
        serial[0] |= 0x01; // and not starting with a zero byte
        Instant from = now.minusSeconds(BACKDATE_SECONDS);
        Instant to = now.plus(lifetime);
        if (signerCert != null && to.isAfter(signerCert.getNotAfter().toInstant())) {
            to = signerCert.getNotAfter().toInstant(); // never outlive the CA
        }
        byte[] tbs = Der.sequence(
                Der.tagged(0, true, Der.integer(2)),
                Der.integer(new BigInteger(serial)),
                algorithm,
                issuer,
                Der.sequence(Der.time(from), Der.time(to)),
                subject,
                subjectKey.getEncoded(), // already a DER SubjectPublicKeyInfo
                Der.tagged(3, true, Der.sequence(extensions.toArray(byte[][]::new))));
        try {
            Signature s = Signature.getInstance(jca);
            s.initSign(signer);
            s.update(tbs);
            byte[] cert = Der.sequence(tbs, algorithm, Der.bits(s.sign()));
            X509Certificate x = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(cert));
            x.verify(signerCert == null ? subjectKey : signerCert.getPublicKey());
            return x;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a certificate with a " + signer.getAlgorithm() + " key: " + e.getMessage(), e);
        }
    }

    /** {@code CN=commonName[, O=organization]} as a DER Name. */
    private static byte[] name(String commonName, String organization) {
        List<byte[]> rdns = new ArrayList<>();
        if (organization != null) {
            rdns.add(Der.set(Der.sequence(Der.oid(O), Der.utf8(organization))));
        }
        rdns.add(Der.set(Der.sequence(Der.oid(CN), Der.utf8(commonName))));
        return Der.sequence(rdns.toArray(byte[][]::new));
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octets(value)) : Der.sequence(Der.oid(oid), Der.octets(value));
    }

    /** RFC 5280 4.2.1.2 method 1: SHA-1 of the public key's bits. */
    static byte[] keyId(PublicKey key) {
        byte[] spki = key.getEncoded();
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }: hash the last element's bits
        int bitString = lastElement(spki);
        try {
            return MessageDigest.getInstance("SHA-1").digest(java.util.Arrays.copyOfRange(spki, bitString, spki.length));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where the contents (after the unused-bits byte) of the outer SEQUENCE's last BIT STRING start. */
    private static int lastElement(byte[] der) {
        int at = headerLength(der, 0);
        int last = at;
        while (at < der.length) {
            last = at;
            at += headerLength(der, at) + contentLength(der, at);
        }
        return last + headerLength(der, last) + 1;
    }

    private static int headerLength(byte[] der, int at) {
        int len = der[at + 1] & 0xff;
        return len < 0x80 ? 2 : 2 + (len & 0x7f);
    }

    private static int contentLength(byte[] der, int at) {
        int len = der[at + 1] & 0xff;
        if (len < 0x80) {
            return len;
        }
        int n = 0;
        for (int i = 0; i < (len & 0x7f); i++) {
            n = (n << 8) | (der[at + 2 + i] & 0xff);
        }
        return n;
    }

    /** The bytes of an IPv4 or IPv6 literal, or null when {@code name} is a host name. */
    private static byte[] ipAddress(String name) {
        if (!name.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            return null;
        }
        try {
            return InetAddress.getByName(name).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether {@code key} signs what {@code cert}'s public key verifies. */
    public static boolean keyMatches(PrivateKey key, X509Certificate cert) {
        if (!key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm())) {
            return false;
        }
        String alg = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(challenge);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(challenge);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
