package dev.dockhand.agent.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Wire format of the control socket: one JSON request, one JSON reply, per connection. */
public final class Protocol {
    /** Largest request or reply accepted; a status of a few dozen services is a few KiB. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    public static final int MAX_REPLY_BYTES = 4 * 1024 * 1024;

    private Protocol() {}

    /**
     * @param op status, health, ready, start, stop, restart, reload
     * @param service the service for start, stop and restart
     * @param force stop even when other services depend on it
     */
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public record Request(String op, String service, boolean force) {}
}
