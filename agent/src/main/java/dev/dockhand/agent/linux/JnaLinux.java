package dev.dockhand.agent.linux;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Linux} through JNA over glibc (2.34 or later: posix_spawn_file_actions_addclosefrom_np).
 * Every return code is checked; failures become {@link ErrnoException} naming the call.
 *
 * <p>Children are started with posix_spawn, never fork in Java and never ProcessBuilder (see
 * docs/adr/001-reaping.md): glibc's posix_spawn uses clone(CLONE_VM|CLONE_VFORK), which is cheap for
 * a large JVM and reports exec failures as a return value.
 */
final class JnaLinux implements Linux {

    // <sys/prctl.h>
    static final int PR_SET_PDEATHSIG = 1;
    /** Linux 3.4. */
    static final int PR_SET_CHILD_SUBREAPER = 36;
    /** Linux 3.4. */
    static final int PR_GET_CHILD_SUBREAPER = 37;

    // <errno.h> (asm-generic, same on x86_64 and aarch64)
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int EPERM = 1;
    static final int ECHILD = 10;
    static final int EACCES = 13;
    static final int ENOTDIR = 20;

    // <fcntl.h>
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_CLOEXEC = 0x80000; // 02000000 octal
    // <poll.h>
    static final int POLLIN = 0x1;
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    // <spawn.h>
    static final short POSIX_SPAWN_SETPGROUP = 0x02;
    static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc 2.26. */
    static final short POSIX_SPAWN_SETSID = 0x80;

    // <signal.h>
    static final int SIG_UNBLOCK = 1;
    static final long SIG_IGN = 1;
    static final int SA_RESTART = 0x10000000;
    /**
     * glibc's struct sigaction on Linux (x86_64 and aarch64 alike): the handler, a 128-byte sigset_t,
     * then int sa_flags, then the restorer glibc fills in itself.
     */
    private static final int SIGACTION_MASK_OFFSET = 8;
    private static final int SIGACTION_FLAGS_OFFSET = 136;
    private static final int SIZEOF_SIGACTION = 256;
    /** glibc's own signals (SIGCANCEL, SIGSETXID): sigaddset refuses them, and they are not ours. */
    private static final long GLIBC_INTERNAL_SIGNALS = (1L << 31) | (1L << 32);

    /**
     * The opaque glibc structs are 80 (file actions), 336 (attr) and 128 (sigset_t) bytes on x86_64;
     * allocate generously so a future layout never writes past our buffer.
     */
    private static final int SIZEOF_FILE_ACTIONS = 1024;
    private static final int SIZEOF_SPAWNATTR = 1024;
    private static final int SIZEOF_SIGSET = 256;

    /** struct passwd on LP64 (x86_64, aarch64): char *pw_name, char *pw_passwd, uid_t pw_uid, gid_t pw_gid. */
    private static final int PASSWD_PW_UID_OFFSET = 16;
    private static final int PASSWD_PW_GID_OFFSET = 20;

    /** glibc execvp's default when PATH is unset, widened to Debian's usual root PATH. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private interface LibC extends Library {
        int prctl(int option, NativeLong arg2, NativeLong arg3, NativeLong arg4, NativeLong arg5);

        int prctl(int option, Pointer arg2, NativeLong arg3, NativeLong arg4, NativeLong arg5);

        int getpid();

        int getuid();

        int kill(int pid, int sig);

        int waitpid(int pid, IntByReference status, int options);

        int pipe2(int[] fds, int flags);

        NativeLong read(int fd, byte[] buf, NativeLong count);

        NativeLong write(int fd, byte[] buf, NativeLong count);

        /** {@code fds}: struct pollfd as two ints each, see {@link JnaLinux#poll}. */
        int poll(int[] fds, NativeLong nfds, int timeout);

        int close(int fd);

        int isatty(int fd);

        int getpagesize();

        String strerror(int errnum);

        Pointer getpwnam(String name);

        int sigemptyset(Pointer set);

        int sigfillset(Pointer set);

        int sigaddset(Pointer set, int signum);

        int sigdelset(Pointer set, int signum);

        int sigaction(int signum, Pointer act, Pointer oldact);

        /** Returns the error number itself. */
        int pthread_sigmask(int how, Pointer set, Pointer oldset);

        int open(String path, int flags);

        int dup2(int oldfd, int newfd);

        int getpgrp();

        int tcgetpgrp(int fd);

        int posix_spawn(IntByReference pid, String path, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);

        int posix_spawn_file_actions_init(Pointer fileActions);

        int posix_spawn_file_actions_destroy(Pointer fileActions);

        int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

        int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int oflag, int mode);

        /** glibc 2.29. */
        int posix_spawn_file_actions_addchdir_np(Pointer fileActions, String path);

        /** glibc 2.34: closes every fd >= from in the child (close_range). */
        int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

        /** glibc 2.35: tcsetpgrp(fd, child's pgrp) in the child, with signals still blocked. */
        int posix_spawn_file_actions_addtcsetpgrp_np(Pointer fileActions, int fd);

        int posix_spawnattr_init(Pointer attr);

        int posix_spawnattr_destroy(Pointer attr);

        int posix_spawnattr_setflags(Pointer attr, short flags);

        int posix_spawnattr_setpgroup(Pointer attr, int pgroup);

        int posix_spawnattr_setsigmask(Pointer attr, Pointer sigmask);

        int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigdefault);
    }

    private final LibC libc;
    private final long pageSize;

    JnaLinux() {
        this.libc = Native.load("c", LibC.class);
        this.pageSize = libc.getpagesize();
    }

    private ErrnoException errno(String call) {
        return errno(call, Native.getLastError());
    }

    private ErrnoException errno(String call, int errno) {
        return new ErrnoException(call, errno, libc.strerror(errno));
    }

    @Override
    public void becomeChildSubreaper() {
        NativeLong zero = new NativeLong(0);
        if (libc.prctl(PR_SET_CHILD_SUBREAPER, new NativeLong(1), zero, zero, zero) != 0) {
            throw errno("prctl(PR_SET_CHILD_SUBREAPER)");
        }
    }

    /** prctl(PR_GET_CHILD_SUBREAPER): for tests that the flag really took. */
    boolean isChildSubreaper() {
        NativeLong zero = new NativeLong(0);
        try (Memory flag = new Memory(4)) {
            flag.setInt(0, 0);
            if (libc.prctl(PR_GET_CHILD_SUBREAPER, flag, zero, zero, zero) != 0) {
                throw errno("prctl(PR_GET_CHILD_SUBREAPER)");
            }
            return flag.getInt(0) != 0;
        }
    }

    @Override
    public void setParentDeathSignal(Signal signal) {
        NativeLong zero = new NativeLong(0);
        if (libc.prctl(PR_SET_PDEATHSIG, new NativeLong(signal.number), zero, zero, zero) != 0) {
            throw errno("prctl(PR_SET_PDEATHSIG, " + Signal.nameOf(signal.number) + ")");
        }
    }

    @Override
    public int getpid() {
        return libc.getpid();
    }

    @Override
    public int getuid() {
        return libc.getuid();
    }

    @Override
    public Spawned spawn(List<String> argv, Map<String, String> env, Path workDir, String runAs, boolean newSession) {
        List<String> command = withRunAs(argv, env, runAs);
        String path = resolveExecutable(command.get(0), env, workDir);
        int[] out = pipe();
        int[] err;
        try {
            err = pipe();
        } catch (ErrnoException e) {
            closeQuietly(out);
            throw e;
        }
        try {
            int pid = posixSpawn(path, command, env, workDir, SignalState.DEFAULT, fa -> {
                check(libc.posix_spawn_file_actions_adddup2(fa, out[1], 1), "posix_spawn_file_actions_adddup2(stdout)");
                check(libc.posix_spawn_file_actions_adddup2(fa, err[1], 2), "posix_spawn_file_actions_adddup2(stderr)");
                check(libc.posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0),
                        "posix_spawn_file_actions_addopen(/dev/null)");
            }, attr -> {
                short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
                if (newSession) {
                    flags |= POSIX_SPAWN_SETSID;
                }
                check(libc.posix_spawnattr_setflags(attr, flags), "posix_spawnattr_setflags");
            });
            // The child holds its own copies now; keeping ours would hide its EOF from the output thread.
            close(out[1]);
            close(err[1]);
            return new Spawned(pid, out[0], err[0]);
        } catch (RuntimeException e) {
            closeQuietly(out);
            closeQuietly(err);
            throw e;
        }
    }

    @Override
    public Spawned spawnForeground(List<String> argv, Map<String, String> env, Path workDir, SignalState signals) {
        String path = resolveExecutable(argv.get(0), env, workDir);
        // the terminal goes to the child only if the agent has it: a background agent must not take it
        boolean terminal = libc.isatty(0) == 1 && libc.tcgetpgrp(0) == libc.getpgrp();
        int pid = posixSpawn(path, argv, env, workDir, signals, fa -> {
            if (terminal) {
                check(libc.posix_spawn_file_actions_addtcsetpgrp_np(fa, 0), "posix_spawn_file_actions_addtcsetpgrp_np");
            }
        }, attr -> {
            check(libc.posix_spawnattr_setpgroup(attr, 0), "posix_spawnattr_setpgroup");
            check(libc.posix_spawnattr_setflags(attr, (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)),
                    "posix_spawnattr_setflags");
        });
        return new Spawned(pid, -1, -1);
    }

    @Override
    public SignalState inheritedSignals() {
        // The first thread (tid = pid) is the launcher's, parked until the JVM ends: its mask is the one
        // the agent was started with. The JVM's own threads unblock some signals and block SIGQUIT.
        long blocked = statusField(Path.of("/proc/self/task", Integer.toString(getpid()), "status"), "SigBlk:");
        long ignored = statusField(Path.of("/proc/self/status"), "SigIgn:");
        return new SignalState(blocked & ~GLIBC_INTERNAL_SIGNALS, ignored & ~GLIBC_INTERNAL_SIGNALS);
    }

    private static long statusField(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) {
                    return Long.parseUnsignedLong(line.substring(field.length()).strip(), 16);
                }
            }
            throw new ErrnoException("read(" + status + ")", ENOENT, "no " + field + " line");
        } catch (IOException e) {
            throw new ErrnoException("read(" + status + ")", ENOENT, e.toString());
        }
    }

    @Override
    public void resetIgnored(Signal signal) {
        try (Memory old = new Memory(SIZEOF_SIGACTION); Memory act = new Memory(SIZEOF_SIGACTION)) {
            if (libc.sigaction(signal.number, null, old) != 0) {
                throw errno("sigaction(" + Signal.nameOf(signal.number) + ")");
            }
            if (Pointer.nativeValue(old.getPointer(0)) != SIG_IGN) {
                return;
            }
            act.clear();
            act.setPointer(0, NativeLibrary.getInstance("c").getFunction("getpid"));
            if (libc.sigemptyset(act.share(SIGACTION_MASK_OFFSET)) != 0) {
                throw errno("sigemptyset");
            }
            act.setInt(SIGACTION_FLAGS_OFFSET, SA_RESTART);
            if (libc.sigaction(signal.number, act, null) != 0) {
                throw errno("sigaction(" + Signal.nameOf(signal.number) + ", no-op handler)");
            }
        }
    }

    @Override
    public void unblockInCallingThread(java.util.Collection<Signal> signals) {
        try (Memory set = new Memory(SIZEOF_SIGSET)) {
            if (libc.sigemptyset(set) != 0) {
                throw errno("sigemptyset");
            }
            for (Signal s : signals) {
                if (libc.sigaddset(set, s.number) != 0) {
                    throw errno("sigaddset(" + Signal.nameOf(s.number) + ")");
                }
            }
            check(libc.pthread_sigmask(SIG_UNBLOCK, set, null), "pthread_sigmask(SIG_UNBLOCK)");
        }
    }

    @Override
    public void redirectStdoutToDevNull() {
        int fd = libc.open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            throw errno("open(/dev/null)");
        }
        try {
            if (libc.dup2(fd, 1) < 0) {
                throw errno("dup2(/dev/null, 1)");
            }
        } finally {
            libc.close(fd);
        }
    }

    /** For tests: the handler address of {@code signal} (0 SIG_DFL, 1 SIG_IGN, else a function). */
    long disposition(Signal signal) {
        try (Memory old = new Memory(SIZEOF_SIGACTION)) {
            if (libc.sigaction(signal.number, null, old) != 0) {
                throw errno("sigaction(" + Signal.nameOf(signal.number) + ")");
            }
            return Pointer.nativeValue(old.getPointer(0));
        }
    }

    private interface Setup {
        void apply(Pointer p);
    }

    /**
     * The common part of both spawns: file actions (caller's first, then close every fd from 3 up and
     * chdir), attributes (caller's flags, the mask of {@code signals}, and every signal at its default
     * but those {@code signals} leaves ignored).
     */
    private int posixSpawn(String path, List<String> argv, Map<String, String> env, Path workDir, SignalState signals,
            Setup fileActions, Setup attrs) {
        try (Memory fa = new Memory(SIZEOF_FILE_ACTIONS);
                Memory attr = new Memory(SIZEOF_SPAWNATTR);
                Memory mask = new Memory(SIZEOF_SIGSET);
                Memory toDefault = new Memory(SIZEOF_SIGSET)) {
            check(libc.posix_spawn_file_actions_init(fa), "posix_spawn_file_actions_init");
            try {
                check(libc.posix_spawnattr_init(attr), "posix_spawnattr_init");
                try {
                    fileActions.apply(fa);
                    // The JVM leaks fds without O_CLOEXEC now and then (jars, sockets): close them all.
                    check(libc.posix_spawn_file_actions_addclosefrom_np(fa, 3), "posix_spawn_file_actions_addclosefrom_np(3)");
                    if (workDir != null) {
                        check(libc.posix_spawn_file_actions_addchdir_np(fa, workDir.toString()),
                                "posix_spawn_file_actions_addchdir_np(" + workDir + ")");
                    }
                    // JVM threads block some signals and the JVM handles or ignores others; a child starts
                    // with the mask and the ignored signals it is given, everything else at its default,
                    // as after a shell's exec.
                    if (libc.sigemptyset(mask) != 0) {
                        throw errno("sigemptyset");
                    }
                    if (libc.sigfillset(toDefault) != 0) {
                        throw errno("sigfillset");
                    }
                    for (int n = 1; n <= 64; n++) {
                        long bit = 1L << (n - 1);
                        if ((bit & GLIBC_INTERNAL_SIGNALS) != 0) {
                            continue;
                        }
                        if ((signals.blocked() & bit) != 0 && libc.sigaddset(mask, n) != 0) {
                            throw errno("sigaddset(" + n + ")");
                        }
                        if ((signals.ignored() & bit) != 0 && libc.sigdelset(toDefault, n) != 0) {
                            throw errno("sigdelset(" + n + ")");
                        }
                    }
                    check(libc.posix_spawnattr_setsigmask(attr, mask), "posix_spawnattr_setsigmask");
                    check(libc.posix_spawnattr_setsigdefault(attr, toDefault), "posix_spawnattr_setsigdefault");
                    attrs.apply(attr);

                    StringArray cArgv = new StringArray(argv.toArray(new String[0]), StandardCharsets.UTF_8.name());
                    List<String> envList = new ArrayList<>(env.size());
                    env.forEach((k, v) -> envList.add(k + "=" + v));
                    StringArray cEnv = new StringArray(envList.toArray(new String[0]), StandardCharsets.UTF_8.name());
                    IntByReference pid = new IntByReference();
                    int rc = libc.posix_spawn(pid, path, fa, attr, cArgv, cEnv);
                    if (rc != 0) {
                        // posix_spawn returns the error number instead of setting errno.
                        throw errno("posix_spawn(" + path + ")", rc);
                    }
                    return pid.getValue();
                } finally {
                    libc.posix_spawnattr_destroy(attr);
                }
            } finally {
                libc.posix_spawn_file_actions_destroy(fa);
            }
        }
    }

    /** posix_spawn_* functions return the error number itself rather than -1 and errno. */
    private void check(int rc, String call) {
        if (rc != 0) {
            throw errno(call, rc);
        }
    }

    @Override
    public int[] pipe() {
        int[] fds = new int[2];
        // O_CLOEXEC: no other child may inherit these ends; the dup2 onto 1 and 2 clears the flag there.
        if (libc.pipe2(fds, O_CLOEXEC) != 0) {
            throw errno("pipe2(O_CLOEXEC)");
        }
        return fds;
    }

    private void closeQuietly(int[] fds) {
        for (int fd : fds) {
            libc.close(fd);
        }
    }

    /**
     * setpriv (util-linux) switches uid, gid and supplementary groups, then execs the command; that
     * keeps the spawn a plain posix_spawn without a fork hook. The command is resolved here so a
     * missing executable is reported by us, not by setpriv in the child's output.
     */
    private List<String> withRunAs(List<String> argv, Map<String, String> env, String runAs) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("spawn: empty command");
        }
        if (runAs == null) {
            return argv;
        }
        int[] ids = lookupUser(runAs);
        int myUid = getuid();
        if (myUid == ids[0]) {
            return argv; // already that user: nothing to switch, and setpriv would need no privilege anyway
        }
        if (myUid != 0) {
            throw new ErrnoException("setpriv(--reuid=" + runAs + ")", EPERM,
                    "Operation not permitted (the agent runs as uid " + myUid + "; only root can run a service as another user)");
        }
        List<String> prefixed = new ArrayList<>();
        prefixed.add(resolveSetpriv(env));
        prefixed.add("--reuid=" + runAs);
        prefixed.add("--regid=" + ids[1]);
        prefixed.add("--init-groups");
        prefixed.add("--");
        prefixed.add(argv.get(0).contains("/") ? argv.get(0) : resolveExecutable(argv.get(0), env, null));
        prefixed.addAll(argv.subList(1, argv.size()));
        return prefixed;
    }

    private String resolveSetpriv(Map<String, String> env) {
        try {
            return resolveExecutable("setpriv", env, null);
        } catch (ErrnoException e) {
            if (Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
                return "/usr/bin/setpriv";
            }
            throw new ErrnoException("posix_spawn(setpriv)", ENOENT,
                    "No such file or directory (running a service as another user needs setpriv from util-linux)");
        }
    }

    /** getpwnam: uid and primary gid of {@code user}, through NSS like every other tool. */
    private synchronized int[] lookupUser(String user) {
        Pointer pw = libc.getpwnam(user);
        if (pw == null) {
            throw new ErrnoException("getpwnam(" + user + ")", ENOENT,
                    "no such user (set the service's user to an account that exists in the image)");
        }
        return new int[] {pw.getInt(PASSWD_PW_UID_OFFSET), pw.getInt(PASSWD_PW_GID_OFFSET)};
    }

    /**
     * argv[0] against PATH from the child's env (posix_spawnp would use the agent's PATH instead), or
     * as a path relative to the work dir when it has a slash. Missing: ENOENT naming the command.
     */
    static String resolveExecutable(String command, Map<String, String> env, Path workDir) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("spawn: empty command name");
        }
        if (workDir != null && !Files.isDirectory(workDir)) {
            throw new ErrnoException("posix_spawn(" + command + ")", ENOENT,
                    "No such file or directory (work dir " + workDir + " does not exist)");
        }
        if (command.contains("/")) {
            Path p = Path.of(command);
            if (!p.isAbsolute() && workDir != null) {
                p = workDir.resolve(p);
            }
            checkExecutable(command, p);
            return p.toString();
        }
        String path = env.getOrDefault("PATH", DEFAULT_PATH);
        for (String dir : path.split(":", -1)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir).resolve(command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new ErrnoException("posix_spawn(" + command + ")", ENOENT,
                "No such file or directory (not found in PATH=" + path + ")");
    }

    private static void checkExecutable(String command, Path p) {
        if (!Files.exists(p)) {
            throw new ErrnoException("posix_spawn(" + command + ")", ENOENT, "No such file or directory");
        }
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            throw new ErrnoException("posix_spawn(" + command + ")", EACCES, "Permission denied (not an executable file)");
        }
    }

    @Override
    public Optional<WaitResult> waitAny() {
        IntByReference status = new IntByReference();
        while (true) {
            int pid = libc.waitpid(-1, status, 0);
            if (pid > 0) {
                return Optional.of(new WaitResult(pid, ExitStatus.decode(status.getValue())));
            }
            int e = Native.getLastError();
            if (e == ECHILD) {
                return Optional.empty();
            }
            if (e != EINTR) {
                throw errno("waitpid(-1)", e);
            }
        }
    }

    @Override
    public boolean kill(int pid, Signal signal) {
        if (pid <= 0) {
            // kill(0) or kill(-1) would signal our own group or everyone: never what a caller means.
            throw new IllegalArgumentException("kill: refusing pid " + pid);
        }
        return doKill(pid, signal, "kill(" + pid + ", " + Signal.nameOf(signal.number) + ")");
    }

    @Override
    public boolean killGroup(int pgid, Signal signal) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("killGroup: refusing process group " + pgid);
        }
        return doKill(-pgid, signal, "kill(-" + pgid + ", " + Signal.nameOf(signal.number) + ")");
    }

    private boolean doKill(int target, Signal signal, String call) {
        if (libc.kill(target, signal.number) == 0) {
            return true;
        }
        int e = Native.getLastError();
        if (e == ESRCH) {
            return false;
        }
        throw errno(call, e);
    }

    @Override
    public int read(int fd, byte[] buf) {
        NativeLong len = new NativeLong(buf.length);
        while (true) {
            long n = libc.read(fd, buf, len).longValue();
            if (n > 0) {
                return (int) n;
            }
            if (n == 0) {
                return -1;
            }
            int e = Native.getLastError();
            if (e != EINTR) {
                throw errno("read(" + fd + ")", e);
            }
        }
    }

    @Override
    public void write(int fd, byte[] buf, int len) {
        byte[] rest = buf;
        int left = len;
        while (left > 0) {
            long n = libc.write(fd, rest, new NativeLong(left)).longValue();
            if (n < 0) {
                int e = Native.getLastError();
                if (e == EINTR) {
                    continue;
                }
                throw errno("write(" + fd + ")", e);
            }
            left -= (int) n;
            if (left > 0) {
                rest = java.util.Arrays.copyOfRange(rest, (int) n, (int) n + left);
            }
        }
    }

    /**
     * struct pollfd is {int fd; short events; short revents;}: passed as two ints per fd, the second
     * holding events and revents, in its low and high half on a little-endian machine (x86-64, arm64).
     */
    @Override
    public int poll(int[] fds, int[] revents, int timeoutMillis) {
        int[] pollfds = new int[fds.length * 2];
        for (int i = 0; i < fds.length; i++) {
            pollfds[2 * i] = fds[i];
            pollfds[2 * i + 1] = LITTLE_ENDIAN ? POLLIN : POLLIN << 16;
        }
        int n = libc.poll(pollfds, new NativeLong(fds.length), timeoutMillis);
        if (n < 0) {
            int e = Native.getLastError();
            if (e == EINTR) {
                java.util.Arrays.fill(revents, 0, fds.length, 0);
                return 0;
            }
            throw errno("poll", e);
        }
        for (int i = 0; i < fds.length; i++) {
            revents[i] = LITTLE_ENDIAN ? pollfds[2 * i + 1] >>> 16 : pollfds[2 * i + 1] & 0xFFFF;
        }
        return n;
    }

    @Override
    public void close(int fd) {
        // No retry on EINTR: on Linux the fd is released even then, and a retry could close a reused fd.
        if (libc.close(fd) != 0) {
            int e = Native.getLastError();
            if (e != EINTR) {
                throw errno("close(" + fd + ")", e);
            }
        }
    }

    @Override
    public long rssBytes(int pid) {
        try {
            String statm = Files.readString(Path.of("/proc", Integer.toString(pid), "statm"));
            // size resident shared text lib data dt, in pages
            String[] fields = statm.trim().split(" ");
            return Long.parseLong(fields[1]) * pageSize;
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException | RuntimeException e) {
            // A process exiting while we read gives ESRCH as an IOException: same as gone.
            return -1;
        }
    }
}
