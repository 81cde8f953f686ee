package dev.dockhand.agent.catalog;

import java.util.List;

/** {@code REGISTER_START_SERVICE_SYSV service --wait dep...}: a service and what it waits for. */
public record StartEntry(String service, List<String> waitFor) {
    public StartEntry {
        waitFor = List.copyOf(waitFor);
    }
}
