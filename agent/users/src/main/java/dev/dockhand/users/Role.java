package dev.dockhand.users;

import java.util.Locale;

/** What a user may do; spelled {@code client} and {@code admin} in every users file. */
public enum Role {
    /** Kafka: produce, consume, create topics, commit offsets; the registry: register schemas and check compatibility */
    CLIENT,
    /** everything: the cluster's settings, the registry's deletes, settings and admin API */
    ADMIN;

    /** The role spelled {@code s}, or null when there is none (the spelling is lower case). */
    public static Role parse(String s) {
        for (Role r : values()) {
            if (r.toString().equals(s)) {
                return r;
            }
        }
        return null;
    }

    /** The users files' spelling. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
