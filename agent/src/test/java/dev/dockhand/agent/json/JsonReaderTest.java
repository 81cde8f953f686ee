package dev.dockhand.agent.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The reader against Jackson, which the catalog and metadata readers used before it. */
class JsonReaderTest {
    private static final ObjectMapper JACKSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Documents with every kind of value, escape, number form and white space. */
    private static final List<String> DOCUMENTS = List.of(
            "{}",
            "[]",
            "\"top-level text\"",
            "0",
            "-0",
            "true",
            "null",
            " \t\r\n {\"a\"\t:\r\n1 ,\"b\":[ ] , \"c\" :{ }}\n",
            "{\"ints\": [0, 7, -7, 2147483647, -2147483648, 2147483648, -2147483649, 9223372036854775807,"
                    + " -9223372036854775808]}",
            "{\"doubles\": [0.0, -0.0, 1.5, -2.25e-3, 1e2, 1E+2, 1e-7, 100.0, 123456789.125, 1.0E22, 1e400, -1e400,"
                    + " 4.9e-324, 2.5e-330, 3.0e9, 9.3e18, 9.3e19]}",
            "{\"escapes\": \"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0000 \\u001f \\u00e9 \\u20AC \\uD83D\\uDE00 \\uDE00 \\u2028\"}",
            "{\"raw\": \"é € 😀 \u2028 \u007f \u00a0 日本\", \"日本\": \"key\", \"\": \"empty key\", \"a.b[0]\": 1}",
            "[[[[[]]]], {\"a\": [{\"b\": [null, true, false]}]}]",
            "{\"env\": {\"N\": 9092, \"F\": 2.5, \"B\": true, \"Z\": null, \"O\": {}, \"A\": [1], \"T\": \" 12 \"}}",
            """
            {
              "self": "broker-0.example",
              "cluster": { "config": "production", "name": "prod" },
              "nodes": [
                { "fqdn": "zk-0.example", "role": "zookeeper" },
                { "fqdn": "broker-0.example", "role": "broker" }
              ]
            }
            """);

    @Test
    void readsWhatJacksonReads() throws IOException {
        List<String> docs = new ArrayList<>(DOCUMENTS);
        docs.add(Files.readString(Path.of("../templates/catalog.json")));
        for (Path p : examples()) {
            docs.add(Files.readString(p));
        }
        for (String doc : docs) {
            assertSameTree(JACKSON.readTree(doc), JsonReader.parse(doc), "", doc);
        }
    }

    /** Every {@code *.json} under examples/ (there may be none). */
    private static List<Path> examples() throws IOException {
        Path dir = Path.of("../examples");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    /** Kind, value and every accessor the agent uses, recursively; fields in the same order. */
    private static void assertSameTree(JsonNode j, JsonValue v, String path, String doc) {
        String at = "at '" + path + "' of " + doc;
        assertEquals(j.isObject(), v.isObject(), at);
        assertEquals(j.isArray(), v.isArray(), at);
        assertEquals(j.isTextual(), v.isTextual(), at);
        assertEquals(j.isNumber(), v.isNumber(), at);
        assertEquals(j.isIntegralNumber(), v.isIntegralNumber(), at);
        assertEquals(j.isInt(), v.isInt(), at);
        assertEquals(j.isBoolean(), v.isBoolean(), at);
        assertEquals(j.isNull(), v.isNull(), at);
        assertEquals(j.isMissingNode(), v.isMissingNode(), at);
        assertEquals(j.size(), v.size(), at);
        assertEquals(j.isEmpty(), v.isEmpty(), at);
        assertEquals(j.asText(), v.asText(), at);
        assertEquals(j.asText("dflt"), v.asText("dflt"), at);
        assertEquals(j.asBoolean(), v.asBoolean(), at);
        assertEquals(j.canConvertToLong(), v.canConvertToLong(), at);
        if (!j.isTextual()) { // Jackson also parses numbers out of text; the agent never asks it to
            assertEquals(j.asInt(), v.asInt(), at);
            assertEquals(j.asLong(), v.asLong(), at);
            assertEquals(Double.doubleToLongBits(j.asDouble()), Double.doubleToLongBits(v.asDouble()), at);
        }
        assertTrue(v.path("no such field").isMissingNode(), at);
        assertNull(v.get(v.size()), at);
        assertNull(j.get(j.size()), at);
        List<String> jNames = new ArrayList<>();
        j.fieldNames().forEachRemaining(jNames::add);
        List<String> vNames = new ArrayList<>();
        v.fieldNames().forEachRemaining(vNames::add);
        assertEquals(jNames, vNames, at);
        Iterator<Map.Entry<String, JsonValue>> fields = v.fields();
        for (String name : jNames) {
            Map.Entry<String, JsonValue> f = fields.next();
            assertEquals(name, f.getKey(), at);
            assertEquals(v.path(name), f.getValue(), at);
            assertSameTree(j.path(name), v.path(name), path.isEmpty() ? name : path + "." + name, doc);
        }
        assertFalse(fields.hasNext(), at);
        for (int i = 0; i < j.size() && j.isArray(); i++) {
            assertSameTree(j.get(i), v.get(i), path + "[" + i + "]", doc);
        }
        Iterator<JsonNode> jElements = j.iterator();
        for (JsonValue e : v) {
            assertTrue(jElements.hasNext(), at);
            assertEquals(jElements.next().asText(), e.asText(), at);
        }
        assertFalse(jElements.hasNext(), at);
    }

    @Test
    void aKeyWrittenTwiceIsAnErrorAtTheSecond() {
        // Jackson would keep the last value: which one did the writer of a catalog mean?
        JsonSyntaxException e = assertThrows(JsonSyntaxException.class,
                () -> JsonReader.parse("{\"a\": 1,\n \"b\": {\"c\": 2},\n \"a\": [3]}"));
        assertEquals(3, e.line());
        assertEquals(2, e.column());
        assertEquals("the field \"a\" appears twice in one object", e.reason());
        assertEquals(2, JsonReader.parse("{\"a\": {\"x\": 1}, \"b\": {\"x\": 2}}").path("b").path("x").asInt(),
                "the same name in two objects is fine");
    }

    @Test
    void theTreeCannotBeChanged() {
        JsonValue v = JsonReader.parse("{\"a\": [1, 2]}");
        Iterator<Map.Entry<String, JsonValue>> fields = v.fields();
        fields.next();
        assertThrows(UnsupportedOperationException.class, fields::remove);
        Iterator<JsonValue> elements = v.path("a").iterator();
        elements.next();
        assertThrows(UnsupportedOperationException.class, elements::remove);
    }

    // ---- lines ----

    private static final String LINES = """
            {
              "a": 1,
              "b": {
                "c": [
                  true,
                  { "d": null }
                ]
              },
              "e":
                "x", "f": 2
            }
            """;

    @Test
    void everyValueHasTheLineItStartsOnByItsPath() {
        Map<String, Integer> expected = new HashMap<>(Map.of("", 1, "a", 2, "b", 3, "b.c", 4, "b.c[0]", 5,
                "b.c[1]", 6, "b.c[1].d", 6, "e", 10, "f", 10));
        for (String eol : List.of("\n", "\r\n", "\r")) {
            Map<String, Integer> lines = new HashMap<>();
            JsonValue v = JsonReader.parse(LINES.replace("\n", eol), lines);
            assertEquals(expected, lines, "line ends " + eol.replace("\r", "CR").replace("\n", "LF"));
            assertEquals(2, v.path("f").asInt());
        }
    }

    @Test
    void linesAgreeWithJacksonsTokenLocationsForTheShippedCatalog() throws IOException {
        String catalog = Files.readString(Path.of("../templates/catalog.json"));
        Map<String, Integer> lines = new HashMap<>();
        JsonReader.parse(catalog, lines);
        Map<String, Integer> jackson = jacksonLines(catalog);
        assertTrue(jackson.size() > 100, "the shipped catalog has " + jackson.size() + " values");
        assertEquals(jackson, lines);
    }

    /** Path to line from Jackson's streaming parser: how the catalog reader found lines before. */
    private static Map<String, Integer> jacksonLines(String text) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        Deque<int[]> index = new ArrayDeque<>(); // per open container: {element count}, or {-1} for an object
        Deque<String> prefixes = new ArrayDeque<>();
        try (JsonParser p = new JsonFactory().createParser(text)) {
            String field = null;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    index.pop();
                    prefixes.pop();
                    continue;
                }
                String prefix = prefixes.isEmpty() ? "" : prefixes.peek();
                String path = index.isEmpty() ? ""
                        : index.peek()[0] >= 0 ? prefix + "[" + index.peek()[0]++ + "]"
                        : prefix.isEmpty() ? field : prefix + "." + field;
                out.putIfAbsent(path, p.currentTokenLocation().getLineNr());
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    index.push(new int[] {t == JsonToken.START_OBJECT ? -1 : 0});
                    prefixes.push(path);
                }
            }
        }
        return out;
    }

    // ---- errors ----

    /** Text that is not JSON, where the error must be, and what the message must say. */
    private record Bad(String text, int line, int column, String says) {}

    private static final List<Bad> BAD = List.of(
            // the catalog reader's test: a ']' where a '}' belongs, at the start of line 4
            new Bad("{\n  \"roles\": [\n    { \"id\": \"broker\" \n  ]\n}", 4, 3, "expected ',' or '}' but found ']'"),
            // nothing, or something after the value
            new Bad("", 1, 1, "expected a value but found the end of the text"),
            new Bad(" \n\t", 2, 2, "expected a value but found the end of the text"),
            new Bad("{} x", 1, 4, "expected the end of the text after the JSON value but found 'x'"),
            new Bad("{}{}", 1, 3, "expected the end of the text"),
            new Bad("[1]\n]", 2, 1, "expected the end of the text"),
            new Bad("{}\u0000", 1, 3, "found U+0000"),
            // white space other than space, tab, LF, CR; a byte order mark
            new Bad("[1,\u000b2]", 1, 4, "expected a value but found U+000B"),
            new Bad("{\u00a0}", 1, 2, "expected a field name in double quotes but found U+00A0"),
            new Bad("\uFEFF{}", 1, 1, "found U+FEFF"),
            // strings: control characters, escapes, the end
            new Bad("{\"a\":\"x\ty\"}", 1, 8, "a control character (U+0009) must be escaped in a string"),
            new Bad("[\"a\nb\"]", 1, 4, "a control character (U+000A)"),
            new Bad("[\"\u001f\"]", 1, 3, "U+001F"),
            new Bad("{\"a\":\"\\x\"}", 1, 8, "unknown escape '\\x'"),
            new Bad("[\"\\'\"]", 1, 4, "unknown escape '\\''"),
            new Bad("{\"a\":\"\\u12G4\"}", 1, 11, "expected 4 hex digits after \\u but found 'G'"),
            new Bad("[\"\\u00e\"]", 1, 8, "expected 4 hex digits after \\u but found '\"'"),
            new Bad("[\"\\u٠٠٠٠\"]", 1, 5, "expected 4 hex digits"),
            new Bad("{\"a\":\"abc", 1, 10, "the text ends inside a string"),
            new Bad("[\"abc\\", 1, 7, "the text ends inside a string"),
            // numbers
            new Bad("{\"a\":01}", 1, 7, "must not start with 0"),
            new Bad("-01", 1, 3, "must not start with 0"),
            new Bad("[00]", 1, 3, "must not start with 0"),
            new Bad("{\"a\":-}", 1, 7, "expected a digit after '-' but found '}'"),
            new Bad("-", 1, 2, "expected a digit after '-' but found the end of the text"),
            new Bad("[- 1]", 1, 3, "expected a digit after '-' but found U+0020"),
            new Bad("[1.]", 1, 4, "expected a digit after the decimal point but found ']'"),
            new Bad("[1.e5]", 1, 4, "after the decimal point"),
            new Bad("[1e]", 1, 4, "expected a digit in the exponent but found ']'"),
            new Bad("[1e+]", 1, 5, "in the exponent"),
            new Bad("[.5]", 1, 2, "expected a value but found '.'"),
            new Bad("[+1]", 1, 2, "expected a value but found '+'"),
            new Bad("[1.5.2]", 1, 5, "expected ',' or ']' but found '.'"),
            new Bad("[0x10]", 1, 3, "expected ',' or ']' but found 'x'"),
            new Bad("[NaN]", 1, 2, "expected a value but found 'NaN'"),
            new Bad("[-Infinity]", 1, 3, "expected a digit after '-' but found 'I'"),
            // words
            new Bad("{\"a\":tru}", 1, 6, "expected a value but found 'tru'"),
            new Bad("[truex]", 1, 2, "found 'truex'"),
            new Bad("[True]", 1, 2, "found 'True'"),
            new Bad("nul", 1, 1, "found 'nul'"),
            new Bad("[undefined]", 1, 2, "found 'undefined'"),
            // structure
            new Bad("[1,]", 1, 4, "expected a value but found ']'"),
            new Bad("{\"a\":1,}", 1, 8, "expected a field name in double quotes but found '}'"),
            new Bad("{\"a\" 1}", 1, 6, "expected ':' after the field name but found '1'"),
            new Bad("{a:1}", 1, 2, "expected a field name in double quotes but found 'a'"),
            new Bad("{'a':1}", 1, 2, "expected a field name in double quotes but found '''"),
            new Bad("[1 2]", 1, 4, "expected ',' or ']' but found '2'"),
            new Bad("[1,,2]", 1, 4, "expected a value but found ','"),
            new Bad("{\"a\":1 \"b\":2}", 1, 8, "expected ',' or '}' but found '\"'"),
            new Bad("{\"a\":}", 1, 6, "expected a value but found '}'"),
            new Bad("[", 1, 2, "expected a value but found the end of the text"),
            new Bad("{\"a\":[1", 1, 8, "expected ',' or ']' but found the end of the text"),
            new Bad("{", 1, 2, "expected a field name in double quotes but found the end of the text"),
            new Bad("]", 1, 1, "expected a value but found ']'"),
            new Bad("// comment\n{}", 1, 1, "expected a value but found '/'"),
            // lines end at LF, CR and CR LF; a column counts chars from the line's start
            new Bad("{\r\n\"a\":\r\n x}", 3, 2, "expected a value but found 'x'"),
            new Bad("{\r\"a\":\r x}", 3, 2, "expected a value but found 'x'"),
            new Bad("{\n\n\r\n\r\"a\":1,\t\"b\" 2}", 5, 12, "expected ':'"),
            new Bad("[\"😀\", x]", 1, 8, "found 'x'"));

    @Test
    void rejectsWhatIsNotJsonWhereItGoesWrong() throws IOException {
        for (Bad bad : BAD) {
            JsonSyntaxException e = assertThrows(JsonSyntaxException.class, () -> JsonReader.parse(bad.text()), bad.text());
            assertEquals(bad.line() + ":" + bad.column(), e.line() + ":" + e.column(), bad.text() + ": " + e.reason());
            assertTrue(e.reason().contains(bad.says()), bad.text() + ": " + e.reason());
            assertEquals("line " + bad.line() + ", column " + bad.column() + ": " + e.reason(), e.getMessage());
            try {
                JACKSON.readTree(bad.text());
                if (!bad.text().isBlank()) { // Jackson reads blank text as a missing node
                    fail("Jackson accepts " + bad.text());
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException expected) {
                // both reject it
            }
        }
    }

    @Test
    void anIntegerBeyondALongIsAnError() {
        JsonSyntaxException e = assertThrows(JsonSyntaxException.class,
                () -> JsonReader.parse("{\n  \"maxBytes\": 9223372036854775808 }"));
        assertEquals("2:15", e.line() + ":" + e.column());
        assertTrue(e.reason().contains("9223372036854775808 is out of range"), e.reason());
        assertEquals(Long.MIN_VALUE, JsonReader.parse("-9223372036854775808").asLong());
    }

    @Test
    void nestingIsBoundedSoThatNoTextCanOverflowTheStack() {
        int max = JsonReader.MAX_DEPTH;
        JsonValue deepest = JsonReader.parse("[".repeat(max) + "]".repeat(max));
        assertEquals(1, deepest.size());
        JsonSyntaxException e = assertThrows(JsonSyntaxException.class, () -> JsonReader.parse("[".repeat(max + 1) + "]".repeat(max + 1)));
        assertEquals("1:" + (max + 1), e.line() + ":" + e.column());
        assertTrue(e.reason().contains("nested deeper than " + max), e.reason());
        e = assertThrows(JsonSyntaxException.class, () -> JsonReader.parse("{\"a\":".repeat(100_000)));
        assertEquals("1:" + (5 * max + 1), e.line() + ":" + e.column());
    }

    @Test
    void missingValuesAnswerAsJacksonsMissingNode() {
        JsonValue root = JsonReader.parse("{\"n\": null, \"s\": \"x\"}");
        JsonValue absent = root.path("nope");
        assertTrue(absent.isMissingNode());
        assertEquals("", absent.asText());
        assertEquals("d", absent.asText("d"));
        assertTrue(absent.path("deeper").isMissingNode());
        assertEquals("d", root.path("n").asText("d"));
        assertEquals("null", root.path("n").asText());
        assertFalse(root.path("n").isMissingNode());
        assertTrue(root.path("s").path("x").isMissingNode(), "path of a non-object");
        assertNull(root.get(0), "get(int) of a non-array");
        Map<String, Object> seen = new LinkedHashMap<>();
        for (JsonValue v : root) {
            seen.put(v.asText(), v);
        }
        assertEquals(List.of("null", "x"), List.copyOf(seen.keySet()), "an object iterates over its values");
    }
}
