package dev.dockhand.agent.linux;

import java.util.Locale;

/** Picks the {@link Linux} for this machine. */
public final class Linuxes {
    private Linuxes() {}

    private static volatile Linux system;

    /**
     * The JNA implementation on Linux; elsewhere (or when libc cannot be bound) an implementation
     * that refuses to start processes, so that {@code agent render} and {@code agent check} still run.
     */
    public static Linux system() {
        Linux s = system;
        if (s == null) {
            synchronized (Linuxes.class) {
                s = system;
                if (s == null) {
                    s = create();
                    system = s;
                }
            }
        }
        return s;
    }

    private static Linux create() {
        String os = System.getProperty("os.name", "unknown");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return new UnsupportedLinux("this is " + os);
        }
        // Without this, JNA's first use runs `ldconfig -p` to learn the library path: a child process
        // the JDK reaps itself, which our waitpid(-1) reaper could take from it (one owner per child),
        // and time at every start. libc sits in the multiarch dirs on Debian and in /lib64 elsewhere.
        if (System.getProperty("jna.platform.library.path") == null) {
            System.setProperty("jna.platform.library.path",
                    "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib");
        }
        try {
            return new JnaLinux();
        } catch (LinkageError e) {
            // JNA's native stub could not load (no writable temp dir, exotic arch): say so once.
            return new UnsupportedLinux("cannot bind libc through JNA: " + e.getMessage());
        }
    }
}
