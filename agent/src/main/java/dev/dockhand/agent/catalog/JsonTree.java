package dev.dockhand.agent.catalog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dockhand.agent.InvalidInputException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed JSON document that remembers the line of every value, so that problems can be reported
 * as {@code file:line path: message}. Shared by the catalog and the metadata readers.
 */
public final class JsonTree {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final String file;
    private final JsonNode root;
    private final Map<String, Integer> lines;

    private JsonTree(String file, JsonNode root, Map<String, Integer> lines) {
        this.file = file;
        this.root = root;
        this.lines = lines;
    }

    /** Parses {@code text}; a syntax error or an empty document is an {@link InvalidInputException}. */
    public static JsonTree parse(String file, String text) {
        if (text.isBlank()) {
            throw new InvalidInputException(file + ": the file is empty; it must hold a JSON object");
        }
        JsonNode root;
        try {
            root = build(text);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? file : file + ":" + loc.getLineNr() + ":" + loc.getColumnNr();
            throw new InvalidInputException(where + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(file + ": must hold a JSON object at the top level");
        }
        return new JsonTree(file, root, index(text));
    }

    /**
     * Builds the tree straight from the streaming parser: an ObjectMapper would load a few hundred
     * classes into the agent (PID 1) for a document this small, and cost its start a tenth of a second.
     */
    private static JsonNode build(String text) throws JsonProcessingException {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) {
                return null;
            }
            JsonNode root = value(p);
            if (p.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "more than one JSON value in the file");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new com.fasterxml.jackson.core.JsonParseException(null, e.getMessage());
        }
    }

    private static JsonNode value(JsonParser p) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (p.currentToken()) {
            case START_OBJECT: {
                ObjectNode o = f.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    o.set(name, value(p));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = f.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(value(p));
                }
                return a;
            }
            case VALUE_STRING:
                return f.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.INT ? f.numberNode(p.getIntValue()) : f.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT:
                return f.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return f.booleanNode(true);
            case VALUE_FALSE:
                return f.booleanNode(false);
            case VALUE_NULL:
                return f.nullNode();
            default:
                throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + p.currentToken());
        }
    }

    public JsonNode root() {
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

    /** Maps every value's path ({@code a.b[0].c}) to the line it starts on. */
    private static Map<String, Integer> index(String text) {
        Map<String, Integer> out = new HashMap<>();
        Deque<Object> stack = new ArrayDeque<>(); // String field name or int[] array index
        Deque<String> prefixes = new ArrayDeque<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            String pendingField = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    pendingField = p.currentName();
                    continue;
                }
                String prefix = prefixes.isEmpty() ? "" : prefixes.peek();
                String path;
                if (!stack.isEmpty() && stack.peek() instanceof int[] idx) {
                    if (t != JsonToken.END_ARRAY) {
                        path = prefix + "[" + idx[0]++ + "]";
                    } else {
                        path = null;
                    }
                } else if (pendingField != null && t != JsonToken.END_OBJECT) {
                    path = prefix.isEmpty() ? pendingField : prefix + "." + pendingField;
                    pendingField = null;
                } else {
                    path = stack.isEmpty() ? "" : null;
                }
                if (path != null) {
                    out.putIfAbsent(path, p.currentTokenLocation().getLineNr());
                }
                if (t == JsonToken.START_OBJECT) {
                    stack.push("obj");
                    prefixes.push(path == null ? prefix : path);
                } else if (t == JsonToken.START_ARRAY) {
                    stack.push(new int[] {0});
                    prefixes.push(path == null ? prefix : path);
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    stack.pop();
                    prefixes.pop();
                }
            }
        } catch (IOException e) {
            // already parsed successfully above; no index is only a loss of line numbers
        }
        return out;
    }
}
