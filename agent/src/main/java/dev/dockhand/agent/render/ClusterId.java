package dev.dockhand.agent.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A Kafka cluster id (16 bytes, URL-safe base64 without padding, as Kafka's {@code Uuid}) derived
 * from the cluster name, so every node computes the same id without talking to the others.
 */
final class ClusterId {
    private ClusterId() {}

    static String of(String clusterName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("dockhand-cluster:" + clusterName).getBytes(StandardCharsets.UTF_8));
            byte[] id = java.util.Arrays.copyOf(digest, 16);
            // Kafka reserves ids whose base64 starts with '-'; keep the first bit clear to avoid it
            id[0] &= 0x7f;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
