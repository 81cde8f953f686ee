package dev.dockhand.agent.security;

import static dev.dockhand.agent.core.UtcDate.pad;

import dev.dockhand.agent.core.UtcDate;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Just enough DER (ITU-T X.690, distinguished encoding) to write an X.509 certificate: tag, length,
 * value, for the handful of types a certificate uses. Reading is left to the JDK's
 * {@code CertificateFactory}, which also checks every certificate written here.
 */
final class Der {
    static final int BOOLEAN = 0x01;
    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int OID = 0x06;
    static final int UTF8_STRING = 0x0c;
    static final int UTC_TIME = 0x17;
    static final int GENERALIZED_TIME = 0x18;
    static final int SEQUENCE = 0x30;
    static final int SET = 0x31;

    private Der() {}

    /** Tag, definite length, value. */
    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write((n >>> (8 * i)) & 0xff);
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    static byte[] sequence(byte[]... items) {
        return tlv(SEQUENCE, concat(items));
    }

    static byte[] set(byte[]... items) {
        return tlv(SET, concat(items));
    }

    /** A context-specific tag: constructed (EXPLICIT, or an IMPLICIT constructed type) or primitive. */
    static byte[] tagged(int number, boolean constructed, byte[] value) {
        return tlv(0x80 | (constructed ? 0x20 : 0) | number, value);
    }

    static byte[] integer(BigInteger v) {
        return tlv(INTEGER, v.toByteArray());
    }

    static byte[] integer(long v) {
        return integer(BigInteger.valueOf(v));
    }

    static byte[] bool(boolean v) {
        return tlv(BOOLEAN, new byte[] {(byte) (v ? 0xff : 0x00)});
    }

    static byte[] octets(byte[] v) {
        return tlv(OCTET_STRING, v);
    }

    /** A BIT STRING of whole bytes (a key, a signature). */
    static byte[] bits(byte[] v) {
        byte[] b = new byte[v.length + 1];
        System.arraycopy(v, 0, b, 1, v.length);
        return tlv(BIT_STRING, b);
    }

    /** A named BIT STRING (key usage) of at most 8 flags: bit 0 is the first (most significant) bit. */
    static byte[] namedBits(int... setBits) {
        int value = 0;
        int last = -1;
        for (int bit : setBits) {
            value |= 0x80 >>> bit;
            last = Math.max(last, bit);
        }
        // DER drops trailing zero bits: say how many bits of the last byte are unused
        return tlv(BIT_STRING, new byte[] {(byte) (7 - last), (byte) value});
    }

    static byte[] utf8(String s) {
        return tlv(UTF8_STRING, s.getBytes(StandardCharsets.UTF_8));
    }

    /** UTCTime for the years 1950-2049, GeneralizedTime after, as RFC 5280 section 4.1.2.5 says; to the second. */
    static byte[] time(Instant t) {
        UtcDate d = UtcDate.of(t.toEpochMilli());
        long seconds = d.millisOfDay() / 1000;
        StringBuilder s = new StringBuilder(15);
        pad(s, d.year(), 4);
        pad(s, d.month(), 2);
        pad(s, d.day(), 2);
        pad(s, seconds / 3600, 2);
        pad(s, seconds / 60 % 60, 2);
        pad(s, seconds % 60, 2).append('Z');
        String text = s.toString();
        return d.year() < 2050 ? tlv(UTC_TIME, text.substring(2).getBytes(StandardCharsets.US_ASCII))
                : tlv(GENERALIZED_TIME, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** An OBJECT IDENTIFIER from its dotted form. */
    static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        base128(out, Long.parseLong(parts[0]) * 40 + Long.parseLong(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            base128(out, Long.parseLong(parts[i]));
        }
        return tlv(OID, out.toByteArray());
    }

    private static void base128(ByteArrayOutputStream out, long v) {
        int groups = 1;
        for (long x = v >>> 7; x > 0; x >>>= 7) {
            groups++;
        }
        for (int i = groups - 1; i >= 0; i--) {
            int b = (int) ((v >>> (7 * i)) & 0x7f);
            out.write(i > 0 ? b | 0x80 : b);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
