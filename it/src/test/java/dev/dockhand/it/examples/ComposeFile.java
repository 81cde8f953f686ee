package dev.dockhand.it.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of a compose file that the examples use, read with SnakeYAML (merge keys {@code <<:}
 * resolved): services with their container name, image, environment, volumes, secrets, memory limit,
 * stop grace period and health check command. The Docker tests start these services with {@code docker run}, since the
 * engine on the build machines has no compose plugin.
 *
 * @param secrets the file's secrets: name -> file (relative to the compose file's directory), which a
 *     service that lists the name sees at {@code /run/secrets/NAME}
 */
public record ComposeFile(Path file, List<Service> services, List<String> volumes, List<String> networks, Map<String, String> secrets) {

    public record Service(
            String name,
            String containerName,
            String hostname,
            String image,
            Map<String, String> environment,
            List<String> volumes,
            List<String> ports,
            String memLimit,
            Duration stopGracePeriod,
            List<String> secrets,
            String healthCmd) {

        public String env(String key) {
            return environment.get(key);
        }
    }

    public Service service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(file + " has no service '" + name + "'"));
    }

    @SuppressWarnings("unchecked")
    public static ComposeFile read(Path file, Map<String, String> vars) throws IOException {
        List<Map<String, Object>> docs = Examples.yamlDocuments(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + ": expected one YAML document, found " + docs.size());
        }
        Map<String, Object> root = docs.get(0);
        Map<String, Object> svcs = (Map<String, Object>) root.get("services");
        if (svcs == null || svcs.isEmpty()) {
            throw new IllegalStateException(file + ": no services");
        }
        List<Service> services = new ArrayList<>();
        for (Map.Entry<String, Object> e : svcs.entrySet()) {
            Map<String, Object> s = (Map<String, Object>) e.getValue();
            String name = e.getKey();
            services.add(new Service(
                    name,
                    str(s.getOrDefault("container_name", name), vars),
                    str(s.getOrDefault("hostname", s.getOrDefault("container_name", name)), vars),
                    str(s.get("image"), vars),
                    environment(file, name, s.get("environment"), vars),
                    strings(s.get("volumes"), vars),
                    strings(s.get("ports"), vars),
                    s.get("mem_limit") == null ? null : str(s.get("mem_limit"), vars),
                    s.get("stop_grace_period") == null ? Duration.ofSeconds(10) : duration(str(s.get("stop_grace_period"), vars)),
                    strings(s.get("secrets"), vars),
                    healthCmd(file, name, s.get("healthcheck"))));
        }
        Map<String, Object> vols = (Map<String, Object>) root.getOrDefault("volumes", Map.of());
        Map<String, Object> nets = (Map<String, Object>) root.getOrDefault("networks", Map.of());
        Map<String, String> secrets = new LinkedHashMap<>();
        ((Map<String, Object>) root.getOrDefault("secrets", Map.of())).forEach((name, v) -> {
            Object f = v instanceof Map<?, ?> m ? m.get("file") : null;
            if (f == null) {
                throw new IllegalStateException(file + ": secrets." + name + " has no file");
            }
            secrets.put(name, str(f, vars));
        });
        return new ComposeFile(file, List.copyOf(services), List.copyOf(vols.keySet()), List.copyOf(nets.keySet()), Map.copyOf(secrets));
    }

    /**
     * The health check's command as {@code docker run --health-cmd} takes it (a shell line), from
     * {@code healthcheck.test}: {@code [CMD, arg...]} or {@code [CMD-SHELL, line]}; null when the service
     * keeps the image's.
     */
    private static String healthCmd(Path file, String service, Object healthcheck) {
        if (!(healthcheck instanceof Map<?, ?> h) || h.get("test") == null) {
            return null;
        }
        if (h.get("test") instanceof List<?> t && !t.isEmpty()) {
            List<String> words = t.stream().map(String::valueOf).toList();
            if (words.get(0).equals("CMD-SHELL") && words.size() == 2) {
                return words.get(1);
            }
            if (words.get(0).equals("CMD") && words.size() > 1 && words.stream().allMatch(w -> w.matches("[A-Za-z0-9_./=-]+"))) {
                return String.join(" ", words.subList(1, words.size()));
            }
        }
        throw new IllegalStateException(file + ": services." + service + ".healthcheck.test: write [CMD, word...] or [CMD-SHELL, line]");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Path file, String service, Object env, Map<String, String> vars) {
        Map<String, String> out = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> m) {
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k, v == null ? "" : str(v, vars)));
        } else if (env instanceof List<?> l) {
            for (Object o : l) {
                String kv = String.valueOf(o);
                int eq = kv.indexOf('=');
                out.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : str(kv.substring(eq + 1), vars));
            }
        } else if (env != null) {
            throw new IllegalStateException(file + ": services." + service + ".environment is neither a map nor a list");
        }
        return out;
    }

    private static List<String> strings(Object o, Map<String, String> vars) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            l.forEach(x -> out.add(str(x, vars)));
        }
        return out;
    }

    private static String str(Object o, Map<String, String> vars) {
        return o == null ? null : Examples.substitute(String.valueOf(o), vars);
    }

    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)m)?(?:(\\d+)s)?");

    /** Compose durations as the examples write them: {@code 120s}, {@code 2m}, {@code 1m30s}. */
    static Duration duration(String s) {
        Matcher m = DURATION.matcher(s.trim());
        if (s.isBlank() || !m.matches()) {
            throw new IllegalArgumentException("unsupported compose duration '" + s + "' (write e.g. 120s or 2m)");
        }
        long min = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        long sec = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
        return Duration.ofMinutes(min).plusSeconds(sec);
    }

    /** Bytes of a compose memory size ({@code 512m}, {@code 1g}). */
    public static long bytes(String size) {
        Matcher m = Pattern.compile("(\\d+)([kmg]?)b?", Pattern.CASE_INSENSITIVE).matcher(size.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("unsupported memory size '" + size + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase()) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }
}
