package dev.dockhand.agent.net;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS over one non-blocking {@link SocketChannel}, driven by the {@link RequestServer}'s selector
 * thread: an {@link SSLEngine} between the socket and the request bytes, as Kafka's
 * {@code SslTransportLayer} and Netty's {@code SslHandler} drive one. Nothing here blocks: every call
 * does what the socket allows now and says whether it waits for the socket to become readable
 * ({@link #read} returned 0) or writable ({@link #pendingOutput}).
 *
 * <p>Three buffers of one TLS record each (about 16 KiB): bytes read and not yet decrypted
 * ({@code netIn}), plaintext not yet taken ({@code appIn}), encrypted bytes not yet written
 * ({@code netOut}, flushed before anything new is wrapped). The handshake's delegated tasks (the
 * key exchange, the signature: about a millisecond with the nodes' P-256 keys) run right here, as in
 * Kafka: handing them to another thread would buy nothing on a two-core node and cost a thread.
 * Renegotiation (TLS 1.2) is refused: a client could make the server sign again and again on one
 * connection; TLS 1.3 has none (its key updates and session tickets pass).
 */
final class TlsChannel {
    /** TLS 1.3 and 1.2 only, as Kafka's, ZooKeeper's and the registry's listeners. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** A TLS record that carries a handshake message: what a ClientHello starts with. */
    private static final int HANDSHAKE_RECORD = 0x16;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Steps of one call, a bound against an engine that neither progresses nor fails. */
    private static final int MAX_STEPS = 64;

    /** The client spoke something else than TLS, and it looks like plain HTTP (a method's first letter). */
    static final class NotTls extends IOException {
        private static final long serialVersionUID = 1L;

        NotTls() {
            super("a plain-text request on a TLS port");
        }
    }

    private final SocketChannel channel;
    private final SSLEngine engine;
    /** Write mode: read from the socket, not yet unwrapped. */
    private ByteBuffer netIn;
    /** Write mode: unwrapped, not yet taken by {@link #read}. */
    private ByteBuffer appIn;
    /** Read mode: wrapped, not yet written to the socket. */
    private ByteBuffer netOut;
    private boolean handshakeDone;
    private boolean firstByteSeen;
    /** The client sent close_notify, or closed its side. */
    private boolean inboundDone;

    TlsChannel(SocketChannel channel, SSLEngine engine) throws SSLException {
        this.channel = channel;
        this.engine = engine;
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        this.netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        netOut.flip();
        engine.beginHandshake();
    }

    /** Whether {@code e} says the client spoke plain text. */
    static boolean isPlainText(IOException e) {
        return e instanceof NotTls;
    }

    /** A server-side engine of {@code context}, TLS 1.2 and 1.3 only. */
    static SSLEngine serverEngine(javax.net.ssl.SSLContext context) {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(false);
        e.setEnabledProtocols(PROTOCOLS);
        return e;
    }

    boolean handshakeDone() {
        return handshakeDone;
    }

    /**
     * After {@link NotTls}: the plain-text bytes read so far, for the caller to read the rest from the
     * socket itself. The engine is not used again.
     */
    byte[] plainTextSoFar() {
        netIn.flip();
        byte[] b = new byte[netIn.remaining()];
        netIn.get(b);
        netIn.clear();
        return b;
    }

    /** Whether encrypted bytes wait for the socket to take them (then wait for OP_WRITE). */
    boolean pendingOutput() {
        return netOut.hasRemaining();
    }

    /**
     * Plaintext into {@code dst}, after as much of the handshake as the socket allows: the number of
     * bytes, 0 when none is there yet (the handshake may be under way), -1 when the client is done
     * and nothing is left.
     *
     * @throws NotTls when the client's first bytes are plain HTTP
     * @throws IOException on a failed handshake (the alert, if any, is sent on a best-effort basis), a
     *     renegotiation, or a socket error
     */
    int read(ByteBuffer dst) throws IOException {
        int n = take(dst);
        try {
            for (int step = 0; step < MAX_STEPS && dst.hasRemaining(); step++) {
                if (!flush()) {
                    break; // the socket takes no more now: OP_WRITE, then on
                }
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (handshakeDone && hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED
                        && !"TLSv1.3".equals(engine.getSession().getProtocol())) {
                    throw new SSLException("renegotiation is not supported");
                }
                if (hs == HandshakeStatus.NEED_TASK) {
                    runTasks();
                } else if (hs == HandshakeStatus.NEED_WRAP) {
                    wrap(EMPTY);
                } else if (!unwrap()) {
                    break; // nothing more from the socket now
                }
                n += take(dst);
            }
        } catch (SSLException e) {
            sendAlert();
            throw e;
        }
        return n == 0 && inboundDone && appIn.position() == 0 ? -1 : n;
    }

    /**
     * Encrypts as much of {@code src} as the socket takes now; what is left waits for OP_WRITE
     * (call again). The bytes of {@code src} taken.
     */
    int write(ByteBuffer src) throws IOException {
        int before = src.remaining();
        for (int step = 0; step < MAX_STEPS && flush() && src.hasRemaining(); step++) {
            if (engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
            }
            wrap(src);
            if (engine.isOutboundDone() && src.hasRemaining()) {
                throw new EOFException("the TLS connection is closed for writing");
            }
        }
        flush();
        return before - src.remaining();
    }

    /** Queues close_notify and writes what the socket takes; the rest goes with {@link #write} of nothing. */
    void closeOutbound() throws IOException {
        engine.closeOutbound();
        if (flush()) {
            wrap(EMPTY);
            flush();
        }
    }

    // ------------------------------------------------------------------ steps

    /** One unwrap of what has arrived, reading the socket when that is not a whole record. False: wait for the socket. */
    private boolean unwrap() throws IOException {
        if (inboundDone) {
            return false;
        }
        if (netIn.position() == 0 && !fill()) {
            return false;
        }
        while (true) {
            netIn.flip();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, appIn);
            } finally {
                netIn.compact();
            }
            noteFinished(r);
            switch (r.getStatus()) {
                case OK:
                    return true;
                case CLOSED:
                    inboundDone = true;
                    return true; // the engine may want to answer with its own close_notify
                case BUFFER_OVERFLOW:
                    // appIn is full: the caller takes its bytes, then this unwraps again
                    if (appIn.position() == 0) {
                        appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                    }
                    return true;
                case BUFFER_UNDERFLOW:
                default:
                    if (!netIn.hasRemaining()) {
                        netIn = grow(netIn, engine.getSession().getPacketBufferSize());
                    }
                    if (!fill()) {
                        return false;
                    }
            }
        }
    }

    /** Reads the socket into {@code netIn}; false when nothing came (or the client closed). */
    private boolean fill() throws IOException {
        int n = channel.read(netIn);
        if (n < 0) {
            inboundDone = true;
            if (!handshakeDone) {
                throw new EOFException("the client closed during the TLS handshake");
            }
            return false;
        }
        if (n > 0 && !firstByteSeen) {
            firstByteSeen = true;
            int first = netIn.get(0) & 0xff;
            if (first != HANDSHAKE_RECORD) {
                if (first >= 'A' && first <= 'Z') {
                    throw new NotTls();
                }
                throw new SSLException("not a TLS handshake (first byte 0x" + Integer.toHexString(first) + ")");
            }
        }
        return n > 0;
    }

    private void wrap(ByteBuffer src) throws IOException {
        netOut.clear();
        SSLEngineResult r;
        try {
            r = engine.wrap(src, netOut);
        } finally {
            netOut.flip();
        }
        noteFinished(r);
        switch (r.getStatus()) {
            case OK:
                return;
            case BUFFER_OVERFLOW:
                int size = engine.getSession().getPacketBufferSize();
                if (netOut.capacity() >= size) {
                    throw new SSLException("a TLS record larger than " + size + " bytes");
                }
                netOut = ByteBuffer.allocate(size); // empty: the next call wraps again
                netOut.flip();
                return;
            case CLOSED:
                if (r.bytesProduced() == 0 && !handshakeDone) {
                    throw new EOFException("the TLS engine closed during the handshake");
                }
                return; // our close_notify, or nothing more to send
            default:
                throw new SSLException("unexpected " + r.getStatus() + " when wrapping");
        }
    }

    private void noteFinished(SSLEngineResult r) {
        // the engine says FINISHED once, in the result of the step that ends the handshake
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            handshakeDone = true;
        }
    }

    private boolean flush() throws IOException {
        if (netOut.hasRemaining()) {
            channel.write(netOut);
        }
        return !netOut.hasRemaining();
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /** After a failed handshake: the alert the engine has for the client, if the socket takes it now. */
    private void sendAlert() {
        try {
            if (flush()) {
                wrap(EMPTY);
                flush();
            }
        } catch (IOException | RuntimeException ignored) {
            // the connection closes either way
        }
    }

    /** Moves what {@code appIn} holds into {@code dst}. */
    private int take(ByteBuffer dst) {
        if (appIn.position() == 0) {
            return 0;
        }
        appIn.flip();
        int n = Math.min(appIn.remaining(), dst.remaining());
        ByteBuffer slice = appIn.slice();
        slice.limit(n);
        dst.put(slice);
        appIn.position(appIn.position() + n);
        appIn.compact();
        return n;
    }

    /** {@code b} with room for at least {@code size} bytes, its content kept (write mode). */
    private static ByteBuffer grow(ByteBuffer b, int size) throws SSLException {
        if (b.capacity() >= size) {
            // full at the engine's own record size: a record larger than TLS allows
            throw new SSLException("a TLS record larger than " + size + " bytes");
        }
        ByteBuffer bigger = ByteBuffer.allocate(size);
        b.flip();
        bigger.put(b);
        return bigger;
    }
}
