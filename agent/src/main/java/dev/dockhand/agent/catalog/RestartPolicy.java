package dev.dockhand.agent.catalog;

import dev.dockhand.agent.core.Spelled;

/** When a service that ended by itself is started again. */
public enum RestartPolicy implements Spelled {
    /** Always, whatever its exit code. */
    ALWAYS("always"),
    /** Only when it failed (exit code not 0, or killed); a clean exit leaves it EXITED. */
    ON_FAILURE("on-failure"),
    /** Never: a one-shot step; EXITED after a clean exit, FAILED after another. */
    NEVER("never");

    /** The catalog's spelling. */
    public final String id;

    RestartPolicy(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    /** Whether an end with {@code success} (exit code 0) is followed by a restart. */
    public boolean restarts(boolean success) {
        return this == ALWAYS || (this == ON_FAILURE && !success);
    }

    public static RestartPolicy parse(String id) {
        RestartPolicy p = Spelled.byId(values(), id);
        if (p != null) {
            return p;
        }
        throw new IllegalArgumentException("unknown restart policy '" + id + "' (use always, on-failure or never)");
    }
}
