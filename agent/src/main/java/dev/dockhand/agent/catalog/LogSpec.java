package dev.dockhand.agent.catalog;

/**
 * Where a service's output goes besides the agent's stdout/stderr (always prefixed with the service id).
 *
 * @param file path of a size-capped copy (tokens replaced), or null for none
 * @param maxBytes size at which the file is rotated to {@code file.1}
 */
public record LogSpec(String file, long maxBytes) {}
