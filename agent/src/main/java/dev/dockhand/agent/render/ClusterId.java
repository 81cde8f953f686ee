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
        return uuid("dockhand-cluster:" + clusterName);
    }

    /**
     * The {@code directory.id} of KRaft controller {@code nodeId}'s metadata log dir, derived like the
     * cluster id: every controller names the whole initial voter set ({@code kafka-storage format
     * --initial-controllers id@host:port:directory-id,...}) without talking to the others. A controller
     * whose volume is lost and formatted again must not come back with it: the identity guard refuses.
     */
    static String directoryOf(String clusterName, int nodeId) {
        return uuid("dockhand-metadata-dir:" + clusterName + ":" + nodeId);
    }

    private static String uuid(String seed) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            byte[] id = java.util.Arrays.copyOf(digest, 16);
            // Kafka reserves ids whose base64 starts with '-'; keep the first bit clear to avoid it
            id[0] &= 0x7f;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
