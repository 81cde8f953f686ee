package dev.dockhand.agent.catalog;

/**
 * A config template: {@code source} relative to the templates dir, {@code target} relative to the
 * config (out) dir, or below the data dir after token replacement (e.g. {@code @@DATA_DIR@@/zookeeper/myid}).
 * Templates with the same target make one file, in the order the catalog lists them; one with
 * {@code when} is part of it only when the node's security is that one (the listeners of a secured
 * broker, of a plaintext one).
 *
 * @param when the security this template belongs to, or null for both
 */
public record TemplateSpec(String source, String target, Security when) {

    public TemplateSpec(String source, String target) {
        this(source, target, null);
    }

    /** Whether this template is part of a node secured as {@code security}. */
    public boolean appliesTo(Security security) {
        return when == null || when == security;
    }
}
