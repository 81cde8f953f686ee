package dev.dockhand.agent.control;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4 for tests: every line must be a HELP, a TYPE
 * or a sample; names, label names, escapes and values follow the format's grammar; a family's TYPE
 * comes before its samples and its lines form one group; no label set repeats. Throws
 * IllegalArgumentException naming the line; returns the samples otherwise.
 */
final class PrometheusTextCheck {
    record Sample(String name, Map<String, String> labels, double value) {}

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") ((?:[^\\\\\\n]|\\\\\\\\|\\\\n)*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?|Inf|NaN)");

    private PrometheusTextCheck() {}

    static List<Sample> parse(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a newline");
        }
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        Set<String> helps = new HashSet<>();
        Set<String> closed = new HashSet<>();
        Set<String> seen = new HashSet<>();
        String current = null;
        int n = 0;
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            n++;
            String where = "line " + n + " \"" + line + "\": ";
            Matcher m;
            String family;
            if ((m = HELP.matcher(line)).matches()) {
                family = m.group(1);
                if (!helps.add(family)) {
                    throw new IllegalArgumentException(where + "second HELP for " + family);
                }
            } else if ((m = TYPE.matcher(line)).matches()) {
                family = m.group(1);
                if (types.put(family, m.group(2)) != null) {
                    throw new IllegalArgumentException(where + "second TYPE for " + family);
                }
                if (seen.stream().anyMatch(s -> s.startsWith(family + "{") || s.equals(family))) {
                    throw new IllegalArgumentException(where + "TYPE after samples of " + family);
                }
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                family = m.group(1);
                Map<String, String> labels = labels(m.group(2), where);
                String v = m.group(3);
                if (!FLOAT.matcher(v).matches()) {
                    throw new IllegalArgumentException(where + "value " + v + " is not a float");
                }
                double value = v.endsWith("Inf") ? (v.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                        : v.equals("NaN") ? Double.NaN : Double.parseDouble(v);
                if (!seen.add(family + labels)) {
                    throw new IllegalArgumentException(where + "repeated sample " + family + labels);
                }
                samples.add(new Sample(family, labels, value));
            } else if (line.startsWith("#")) {
                continue; // a plain comment is allowed
            } else {
                throw new IllegalArgumentException(where + "neither HELP, TYPE nor a sample");
            }
            if (!family.equals(current)) {
                if (closed.contains(family)) {
                    throw new IllegalArgumentException(where + family + "'s lines are not one group");
                }
                if (current != null) {
                    closed.add(current);
                }
                current = family;
            }
        }
        return samples;
    }

    private static String unescape(String v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                char next = v.charAt(++i);
                b.append(next == 'n' ? '\n' : next);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static Map<String, String> labels(String body, String where) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return labels;
        }
        Matcher m = LABEL.matcher(body);
        int at = 0;
        while (at < body.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException(where + "bad label syntax at \"" + body.substring(at) + "\"");
            }
            String value = unescape(m.group(2));
            if (labels.put(m.group(1), value) != null) {
                throw new IllegalArgumentException(where + "label " + m.group(1) + " twice");
            }
            at = m.end();
        }
        return labels;
    }
}
