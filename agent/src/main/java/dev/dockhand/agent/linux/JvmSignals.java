package dev.dockhand.agent.linux;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Catching signals in the JVM ({@code sun.misc.Signal}, in module jdk.unsupported, present in every
 * JDK 17 runtime). A handler replaces the JVM's own: a caught SIGTERM no longer runs shutdown hooks
 * or exits. Each delivery runs the handler on a fresh JVM thread, so two signals that come close
 * together may be handled in either order.
 *
 * <p>What the JVM does not give up (docs/single-command.md has the whole table):
 * <ul>
 *   <li>SIGQUIT is its thread dump: {@code sun.misc.Signal} refuses it. {@link #handle} still gets it,
 *       natively: the JVM raises the JVMTI event DataDumpRequest after each thread dump, and a JVMTI
 *       environment made through JNA at run time registers for it. The dump itself is still printed,
 *       on fd 1.
 *   <li>SIGSEGV, SIGILL, SIGFPE: the JVM needs them (implicit null checks, safepoint polls, division
 *       by zero) and refuses them. SIGBUS it would hand over, but it needs it too (a mapped file cut
 *       short), and a Java handler would return to the faulting instruction for ever. Its handler
 *       cannot tell a kill(2) from a fault, so any of the four sent to the agent ends the JVM with a
 *       crash report. Telling them apart needs a native handler that reads si_code in signal context;
 *       JNA's callbacks run Java code, which must not run inside a signal handler.
 *   <li>SIGKILL and SIGSTOP: nobody can catch them.
 * </ul>
 */
public final class JvmSignals {
    private JvmSignals() {}

    /** The signals no handler of ours may have (see the class comment). */
    public static final Set<Signal> KEPT_BY_THE_JVM_OR_KERNEL =
            Set.copyOf(EnumSet.of(Signal.SEGV, Signal.ILL, Signal.FPE, Signal.BUS, Signal.KILL, Signal.STOP));

    /**
     * Installs {@code handler} for {@code signal}; false when the JVM does not let us have it. First makes
     * the signal deliverable through {@code linux}: one that is ignored gets a no-op handler (the JVM
     * silently declines HUP, INT and TERM while they are ignored), and one that may be blocked is
     * unblocked in the calling thread (the JVM's threads keep the mask the agent was started with, and a
     * signal blocked in every thread would never arrive). Call it from a thread that lives as long as
     * the handler matters.
     *
     * @param inherited what {@link Linux#inheritedSignals()} said before any handler was installed: only
     *     the signals it names ignored or blocked cost a system call here
     */
    public static boolean handle(Linux linux, SignalState inherited, Signal signal, Consumer<Signal> handler) {
        if (KEPT_BY_THE_JVM_OR_KERNEL.contains(signal)) {
            return false;
        }
        if (signal == Signal.QUIT) {
            return afterThreadDump(() -> handler.accept(Signal.QUIT));
        }
        if (inherited.isIgnored(signal)) {
            linux.resetIgnored(signal);
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(signal.name()), s -> handler.accept(signal));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (inherited.isBlocked(signal)) {
            linux.unblockInCallingThread(List.of(signal));
        }
        return true;
    }

    // ------------------------------------------------------------------ SIGQUIT through JVMTI

    /** JNI_VERSION-style constant of jvmti.h. */
    private static final int JVMTI_VERSION_1_2 = 0x30010200;
    /** JNIInvokeInterface: reserved0..2, DestroyJavaVM, AttachCurrentThread, DetachCurrentThread, GetEnv. */
    private static final int INVOKE_GET_ENV = 6;
    /** jvmtiInterface_1 slots are the function numbers of the JVMTI spec minus one. */
    private static final int JVMTI_SET_EVENT_NOTIFICATION_MODE = 2 - 1;
    private static final int JVMTI_SET_EVENT_CALLBACKS = 122 - 1;
    private static final int JVMTI_ENABLE = 1;
    /** Event 71; jvmtiEventCallbacks starts at event 50 (VMInit), one pointer per event. */
    private static final int JVMTI_EVENT_DATA_DUMP_REQUEST = 71;
    private static final int CALLBACKS_THROUGH_DATA_DUMP = JVMTI_EVENT_DATA_DUMP_REQUEST - 50 + 1;

    /** {@code void JNICALL DataDumpRequest(jvmtiEnv *env)}. */
    private interface DataDumpRequest extends Callback {
        void invoke(Pointer jvmtiEnv);
    }

    private static final List<Runnable> afterDump = new ArrayList<>();
    /** Held for the JVM's life: the JVM keeps calling it, so it must never be collected. */
    private static DataDumpRequest callback;

    /**
     * Runs {@code action} after every SIGQUIT, once the JVM has printed its thread dump. The JVM calls
     * it on its signal-dispatcher thread, outside any signal handler; it must be quick (it holds up the
     * next signal). False when the JVM offers no JVMTI environment.
     */
    private static synchronized boolean afterThreadDump(Runnable action) {
        if (callback == null) {
            DataDumpRequest cb = env -> runAll();
            try {
                if (!registerDataDumpRequest(cb)) {
                    return false;
                }
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
            callback = cb;
        }
        afterDump.add(action);
        return true;
    }

    private static void runAll() {
        List<Runnable> actions;
        synchronized (JvmSignals.class) {
            actions = List.copyOf(afterDump);
        }
        actions.forEach(Runnable::run);
    }

    private static boolean registerDataDumpRequest(DataDumpRequest cb) {
        // libjvm is loaded by the java launcher with RTLD_GLOBAL: its symbols are the process's
        Function getCreatedVms = NativeLibrary.getProcess().getFunction("JNI_GetCreatedJavaVMs");
        int ptr = Native.POINTER_SIZE;
        try (Memory vms = new Memory(ptr); Memory callbacks = new Memory((long) CALLBACKS_THROUGH_DATA_DUMP * ptr)) {
            IntByReference count = new IntByReference();
            if (getCreatedVms.invokeInt(new Object[] {vms, 1, count}) != 0 || count.getValue() != 1) {
                return false;
            }
            Pointer vm = vms.getPointer(0);
            Function getEnv = Function.getFunction(vm.getPointer(0).getPointer((long) INVOKE_GET_ENV * ptr));
            PointerByReference env = new PointerByReference();
            if (getEnv.invokeInt(new Object[] {vm, env, JVMTI_VERSION_1_2}) != 0) {
                return false;
            }
            Pointer jvmti = env.getValue();
            Pointer functions = jvmti.getPointer(0);
            callbacks.clear();
            callbacks.setPointer((long) (CALLBACKS_THROUGH_DATA_DUMP - 1) * ptr, CallbackReference.getFunctionPointer(cb));
            Function setCallbacks = Function.getFunction(functions.getPointer((long) JVMTI_SET_EVENT_CALLBACKS * ptr));
            if (setCallbacks.invokeInt(new Object[] {jvmti, callbacks, (int) callbacks.size()}) != 0) {
                return false;
            }
            Function setMode = Function.getFunction(functions.getPointer((long) JVMTI_SET_EVENT_NOTIFICATION_MODE * ptr));
            return setMode.invokeInt(new Object[] {jvmti, JVMTI_ENABLE, JVMTI_EVENT_DATA_DUMP_REQUEST, null}) == 0;
        }
    }
}
