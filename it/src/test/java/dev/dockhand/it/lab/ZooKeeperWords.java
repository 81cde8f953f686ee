package dev.dockhand.it.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** ZooKeeper's four-letter words (the catalog whitelists ruok, srvr, stat, mntr, conf). */
public final class ZooKeeperWords {
    private ZooKeeperWords() {}

    public static String ask(String host, int port, String word) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The {@code Mode:} of {@code srvr} (leader, follower, standalone), empty when it does not serve. */
    public static Optional<String> mode(String host, int port) {
        try {
            for (String line : ask(host, port, "srvr").split("\n")) {
                if (line.startsWith("Mode:")) {
                    return Optional.of(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            // not serving
        }
        return Optional.empty();
    }
}
