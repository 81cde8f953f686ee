package dev.dockhand.agent.log;

import dev.dockhand.agent.core.Names;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * The loggers of this process and their levels. {@code AGENT_LOG_LEVEL} sets them: a level
 * ({@code error}, {@code warn}, {@code info}, {@code debug}, {@code trace}; {@code info} when unset)
 * for every logger, then optionally {@code ,NAME=LEVEL} entries for a logger name and everything
 * under it, e.g. {@code info,dev.dockhand.agent.process.ChildReaper=debug}. {@link #setLevel} does
 * the same from code; the most specific name wins.
 *
 * <p>A line is {@code 2026-11-25T22:53:54.365Z INFO supervise - message}: the time in UTC (the
 * agent reads no time-zone database; container logs are usually compared in UTC anyway), the level,
 * the last part of the logger's name and the message, then the stack trace of a throwable if any.
 * Each line is written with one call on {@code System.err}, so it never interleaves with another
 * line mid-way.
 */
public final class AgentLog implements ILoggerFactory {
    /** The environment variable that sets the default level. */
    public static final String LEVEL_ENV = "AGENT_LOG_LEVEL";

    private static volatile AgentLog instance;

    private final Map<String, AgentLogger> loggers = new ConcurrentHashMap<>();
    /** Prefix → level; guarded by {@code this}; the empty prefix is the default. */
    private final TreeMap<String, Level> levels = new TreeMap<>();
    private final LongSupplier clock;
    private final PrintStream out;

    AgentLog(Level defaultLevel, LongSupplier clock, PrintStream out) {
        this.clock = clock;
        this.out = out;
        levels.put("", defaultLevel);
    }

    /** The process's log, created on first use at INFO; {@link #levels} applies {@code AGENT_LOG_LEVEL}. */
    public static AgentLog get() {
        AgentLog log = instance;
        if (log == null) {
            synchronized (AgentLog.class) {
                log = instance;
                if (log == null) {
                    log = new AgentLog(Level.INFO, System::currentTimeMillis, System.err);
                    instance = log;
                }
            }
        }
        return log;
    }

    /**
     * Applies the value of {@code AGENT_LOG_LEVEL} (null: nothing to apply), as the entry point read it
     * from the environment: the only place that reads the environment is the entry point.
     */
    public static void levels(String spec) {
        get().configure(spec);
    }

    /**
     * Applies an {@code AGENT_LOG_LEVEL} value. A part that names no level is skipped with a warning
     * and the rest still applies: a typo in a logging variable must not stop PID 1.
     */
    void configure(String spec) {
        if (spec == null) {
            return;
        }
        for (String part : spec.split(",")) {
            String entry = part.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).strip();
            Level level = level(eq < 0 ? entry : entry.substring(eq + 1));
            if (level == null) {
                write(Level.WARN, "agent", LEVEL_ENV + ": '" + entry + "' names no level (error, warn, info, debug, trace); ignored", null);
            } else {
                setLevel(name, level);
            }
        }
    }

    private static Level level(String name) {
        try {
            return Level.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Sets the level of {@code name} and of every logger under it ({@code name.}...). */
    public void setLevel(String name, Level level) {
        synchronized (this) {
            levels.put(name, level);
        }
        for (AgentLogger logger : loggers.values()) {
            logger.level = levelOf(logger.getName());
        }
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new AgentLogger(n, this, levelOf(n)));
    }

    synchronized Level levelOf(String name) {
        String best = "";
        for (String prefix : levels.keySet()) {
            if (prefix.length() > best.length()
                    && (name.equals(prefix) || name.startsWith(prefix) && name.charAt(prefix.length()) == '.')) {
                best = prefix;
            }
        }
        return levels.get(best);
    }

    void write(Level level, String shortName, String message, Throwable thrown) {
        StringBuilder line = new StringBuilder(64 + message.length());
        UtcTimestamp.append(line, clock.getAsLong());
        line.append(' ').append(level.name()).append(' ').append(shortName).append(" - ")
                // one line per entry, and no value in a message can move or clear the reader's terminal
                .append(Names.escapeControls(message)).append('\n');
        if (thrown != null) {
            java.io.StringWriter trace = new java.io.StringWriter();
            thrown.printStackTrace(new java.io.PrintWriter(trace));
            line.append(trace);
        }
        byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        out.flush();
    }
}
