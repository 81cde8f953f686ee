package dev.dockhand.agent.catalog;

/**
 * A config template: {@code source} relative to the templates dir, {@code target} relative to the
 * config (out) dir, or absolute after token replacement (e.g. {@code @@DATA_DIR@@/zookeeper/myid}).
 */
public record TemplateSpec(String source, String target) {}
