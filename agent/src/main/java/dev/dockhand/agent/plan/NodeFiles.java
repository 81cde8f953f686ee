package dev.dockhand.agent.plan;

import dev.dockhand.agent.core.InputFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Every file a node's plan looks at, as the read step found it: the templates and {@code *_FILE} values
 * the render reads, and what the node's volume holds (its files as the last start rendered them, a
 * ZooKeeper {@code myid}, each log dir's {@code meta.properties}, the storage record, the migration's
 * markers). {@link Planner#plan} asks this value, never the file system, so a plan is a function of its
 * inputs alone and a test gives it plain values.
 */
public final class NodeFiles implements InputFiles.Reader {
    private record Key(Path file, long limit) {}

    /** Whether a path exists (a link counts, dangling or not) and is a regular file, neither following a link. */
    private record Stat(boolean exists, boolean regular) {}

    private final Map<Key, Object> reads;
    private final Map<Path, Stat> stats;
    /** Whether every file the plan asks about was read: then a file not here is a gap of the read step, not a missing file. */
    private final boolean complete;

    private NodeFiles(Map<Key, Object> reads, Map<Path, Stat> stats, boolean complete) {
        this.reads = Map.copyOf(reads);
        this.stats = Map.copyOf(stats);
        this.complete = complete;
    }

    /** A node whose volume is empty and that reads no template: for plans of values given in full. */
    public static NodeFiles none() {
        return of(Map.of());
    }

    /** Exactly {@code files} (regular files, any limit), nothing else. */
    public static NodeFiles of(Map<Path, String> files) {
        Map<Key, Object> reads = new HashMap<>();
        Map<Path, Stat> stats = new HashMap<>();
        files.forEach((p, text) -> {
            reads.put(new Key(p, -1), text);
            stats.put(p, new Stat(true, true));
        });
        return new NodeFiles(reads, stats, false);
    }

    /** These files, and {@code file} as a regular file holding {@code text} (a volume as a test wants it). */
    public NodeFiles with(Path file, String text) {
        Map<Key, Object> r = new HashMap<>(reads);
        r.keySet().removeIf(k -> k.file().equals(file));
        r.put(new Key(file, -1), text);
        Map<Path, Stat> st = new HashMap<>(stats);
        st.put(file, new Stat(true, true));
        return new NodeFiles(r, st, complete);
    }

    /** Whether {@code file} existed (a link counts, not followed). */
    public boolean exists(Path file) {
        return stat(file).exists();
    }

    /** Whether {@code file} was a regular file (a link does not count). */
    public boolean isRegularFile(Path file) {
        return stat(file).regular();
    }

    /** The text {@link InputFiles#read} gave for {@code file}, or its refusal. */
    @Override
    public String read(Path file, long limit) throws InputFiles.Refused {
        Object r = reads.get(new Key(file, limit));
        if (r == null) {
            r = reads.get(new Key(file, -1));
        }
        if (r == null && complete) {
            throw new IllegalStateException("the plan reads " + file + ", which its read step did not");
        }
        if (r == null) {
            throw new InputFiles.Refused("does not exist", true);
        }
        if (r instanceof InputFiles.Refused refused) {
            throw new InputFiles.Refused(refused.getMessage(), refused.missing());
        }
        return (String) r;
    }

    private Stat stat(Path file) {
        Stat s = stats.get(file);
        if (s == null && complete) {
            throw new IllegalStateException("the plan looks at " + file + ", which its read step did not");
        }
        return s == null ? new Stat(false, false) : s;
    }

    /** Reads the file system now and keeps what it read: the read step's side of {@link NodeFiles}. */
    static final class Recorder implements InputFiles.Reader {
        private final Map<Key, Object> reads = new HashMap<>();
        private final Map<Path, Stat> stats = new HashMap<>();

        @Override
        public String read(Path file, long limit) throws InputFiles.Refused {
            Key k = new Key(file, limit);
            Object r = reads.get(k);
            if (r == null) {
                try {
                    r = InputFiles.read(file, limit);
                } catch (InputFiles.Refused e) {
                    r = e;
                }
                reads.put(k, r);
            }
            if (r instanceof InputFiles.Refused refused) {
                throw new InputFiles.Refused(refused.getMessage(), refused.missing());
            }
            return (String) r;
        }

        /** Looks at {@code file}: whether it is there, and its text read within {@code limit} (or why not). */
        void look(Path file, long limit) {
            stats.computeIfAbsent(file, f -> new Stat(Files.exists(f, LinkOption.NOFOLLOW_LINKS),
                    Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)));
            try {
                read(file, limit);
            } catch (InputFiles.Refused e) {
                // kept: the plan gets the same refusal
            }
        }

        /** Whether {@code file} is there; looked at, and kept, once. */
        void look(Path file) {
            stats.computeIfAbsent(file, f -> new Stat(Files.exists(f, LinkOption.NOFOLLOW_LINKS),
                    Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)));
        }

        NodeFiles files() {
            return new NodeFiles(reads, stats, true);
        }
    }
}
