package dev.dockhand.agent.health;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * A probe's connection, read only until the probe's deadline, however the server trickles: before
 * every read the socket's timeout is set to the time left, so a server that sends a byte now and
 * then cannot hold a probe (and its thread) past its timeout, as a timeout set once would let it.
 */
final class DeadlineInput extends InputStream {
    private final Socket socket;
    private final InputStream in;
    private final long deadlineNanos;

    private DeadlineInput(Socket socket, long deadlineNanos) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.deadlineNanos = deadlineNanos;
    }

    /** {@code socket}'s input, buffered, ending in a {@link java.net.SocketTimeoutException} at the deadline. */
    static InputStream of(Socket socket, long deadlineNanos) throws IOException {
        return new BufferedInputStream(new DeadlineInput(socket, deadlineNanos), 4096);
    }

    @Override
    public int read() throws IOException {
        socket.setSoTimeout(Probes.millisLeft(deadlineNanos));
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        socket.setSoTimeout(Probes.millisLeft(deadlineNanos));
        return in.read(b, off, len);
    }
}
