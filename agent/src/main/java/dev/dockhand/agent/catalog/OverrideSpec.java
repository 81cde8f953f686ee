package dev.dockhand.agent.catalog;

import dev.dockhand.agent.core.Spelled;
import java.util.List;

/**
 * How env overrides reach one of a service's rendered files: {@code KAFKA_CFG_LOG_RETENTION_HOURS=24}
 * sets {@code log.retention.hours=24} in {@code file}.
 *
 * @param prefix env prefix, upper case, ending in {@code _} (e.g. {@code KAFKA_CFG_})
 * @param file the template target the overrides apply to
 * @param format how the file is parsed by its service, so that every value is written to read back
 *     exactly as given
 * @param keys keys an override may set in their exact case (besides those the template has); when
 *     given, an override that names none of them is an error. For files whose keys are not lower case
 *     (ZooKeeper's {@code tickTime}), which an env name cannot spell.
 * @param dirKeys keys whose value, when an override sets it, is a comma-separated list of directories
 *     that must exist on the node (a Connect worker's {@code plugin.path}): a missing one is refused at
 *     start rather than found missing by the service later, or never
 */
public record OverrideSpec(String prefix, String file, Format format, List<String> keys, List<String> dirKeys) {

    public OverrideSpec {
        keys = List.copyOf(keys);
        dirKeys = List.copyOf(dirKeys);
    }

    /** Overrides with no key naming directories. */
    public OverrideSpec(String prefix, String file, Format format, List<String> keys) {
        this(prefix, file, format, keys, List.of());
    }

    /** The parsers the shipped services use. */
    public enum Format implements Spelled {
        /** {@code java.util.Properties}: Kafka, ZooKeeper, log4j, the console. */
        PROPERTIES("properties"),
        /** ZooKeeper's zoo.cfg: {@code java.util.Properties}, and every value is trimmed. */
        ZOOKEEPER("zookeeper-cfg"),
        /** Quarkus (SmallRye Config): properties syntax, and {@code ${...}} in a value is expanded. */
        QUARKUS("quarkus-properties");

        public final String id;

        Format(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        public static Format parse(String id) {
            Format f = Spelled.byId(values(), id);
            if (f != null) {
                return f;
            }
            throw new IllegalArgumentException("unknown override format '" + id + "' (use properties, zookeeper-cfg or quarkus-properties)");
        }
    }
}
