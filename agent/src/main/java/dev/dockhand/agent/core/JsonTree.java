package dev.dockhand.agent.core;

import dev.dockhand.agent.json.JsonReader;
import dev.dockhand.agent.json.JsonSyntaxException;
import dev.dockhand.agent.json.JsonValue;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed JSON document that remembers the line of every value, so that problems can be reported
 * as {@code file:line path: message}. Shared by the catalog and the metadata readers.
 */
public final class JsonTree {
    private final String file;
    private final JsonValue root;
    private final Map<String, Integer> lines;

    private JsonTree(String file, JsonValue root, Map<String, Integer> lines) {
        this.file = file;
        this.root = root;
        this.lines = lines;
    }

    /** Parses {@code text}; a syntax error or an empty document is an {@link InvalidInputException}. */
    public static JsonTree parse(String file, String text) {
        if (text.isBlank()) {
            throw new InvalidInputException(file + ": the file is empty; it must hold a JSON object");
        }
        Map<String, Integer> lines = new HashMap<>();
        JsonValue root;
        try {
            root = JsonReader.parse(text, lines);
        } catch (JsonSyntaxException e) {
            throw new InvalidInputException(file + ":" + e.line() + ":" + e.column() + ": not valid JSON: " + e.reason());
        }
        if (!root.isObject()) {
            throw new InvalidInputException(file + ": must hold a JSON object at the top level");
        }
        return new JsonTree(file, root, lines);
    }

    public JsonValue root() {
        return root;
    }

    public String file() {
        return file;
    }

    /** {@code file:line path} for a path written like {@code services[2].health.type}. */
    public String where(String path) {
        Integer line = lines.get(path);
        if (line == null) {
            // fall back to the nearest parent that has a line
            String p = path;
            while (line == null && !p.isEmpty()) {
                int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
                p = cut <= 0 ? "" : p.substring(0, cut);
                line = lines.get(p);
            }
        }
        return file + (line == null ? "" : ":" + line) + (path.isEmpty() ? "" : " " + path);
    }
}
