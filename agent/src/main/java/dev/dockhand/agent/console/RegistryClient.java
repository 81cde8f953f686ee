package dev.dockhand.agent.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.agent.console.Overview.RegistryView;
import dev.dockhand.agent.console.Overview.SubjectView;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Reads the schema registry through its Confluent-compatible API (Apicurio serves it under
 * {@code /apis/ccompat/v7}): subjects, their versions, the latest schema, compatibility levels.
 * With several URLs, all are asked at once and the first in configured order that answers is used.
 */
final class RegistryClient implements Sources.RegistrySource {
    /** Subjects beyond this are counted, not read: one page must stay a bounded number of requests. */
    static final int MAX_SUBJECTS = 100;
    static final int MAX_SCHEMA_CHARS = 4000;

    private final List<String> urls;
    private final Http http;
    private final ExecutorService executor;

    RegistryClient(List<String> urls, Http http, ExecutorService executor) {
        this.urls = List.copyOf(urls);
        this.http = http;
        this.executor = executor;
    }

    static String apiBase(String url) {
        return url.contains("/apis/ccompat/") ? url : url + "/apis/ccompat/v7";
    }

    @Override
    public RegistryView collect(Deadline deadline) {
        if (urls.isEmpty()) {
            return new RegistryView(false, false, null, "not configured (schema.registry.url is empty)", null, List.of());
        }
        List<Future<Http.Reply>> tries = new ArrayList<>();
        for (String url : urls) {
            tries.add(executor.submit(() -> http.get(apiBase(url) + "/subjects", deadline)));
        }
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            try {
                Http.Reply r = tries.get(i).get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
                if (r.ok()) {
                    cancelAll(tries);
                    return read(urls.get(i), Http.JSON.readTree(r.body()), deadline);
                }
                reasons.add(urls.get(i) + ": HTTP " + r.status());
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                reasons.add(urls.get(i) + ": " + Deadline.reason(e));
            }
        }
        cancelAll(tries);
        return new RegistryView(true, false, urls.get(0), "down: " + String.join("; ", reasons), null, List.of());
    }

    private RegistryView read(String url, JsonNode subjectsJson, Deadline deadline) {
        String base = apiBase(url);
        List<String> subjects = new ArrayList<>();
        subjectsJson.forEach(n -> subjects.add(n.asText()));
        subjects.sort(null);
        int more = Math.max(0, subjects.size() - MAX_SUBJECTS);
        List<String> shown = subjects.subList(0, Math.min(subjects.size(), MAX_SUBJECTS));

        Future<Http.Reply> global = executor.submit(() -> http.get(base + "/config", deadline));
        List<Future<SubjectView>> views = new ArrayList<>();
        for (String s : shown) {
            views.add(executor.submit(() -> subject(base, s, deadline)));
        }
        String compatibility = null;
        List<String> problems = new ArrayList<>();
        try {
            Http.Reply r = global.get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
            compatibility = r.ok() ? Http.JSON.readTree(r.body()).path("compatibilityLevel").asText(null) : null;
        } catch (Exception e) {
            problems.add("global config: " + Deadline.reason(e));
        }
        List<SubjectView> out = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            try {
                out.add(views.get(i).get(deadline.remainingMillis(), TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                views.get(i).cancel(true);
                out.add(new SubjectView(shown.get(i), List.of(), null, null, null, null, Deadline.reason(e)));
            }
        }
        if (more > 0) {
            problems.add(more + " more subjects not shown");
        }
        return new RegistryView(true, true, url, problems.isEmpty() ? null : String.join("; ", problems), compatibility, out);
    }

    /** One subject's requests run in a row; subjects run in parallel. */
    private SubjectView subject(String base, String subject, Deadline deadline) throws Exception {
        String path = base + "/subjects/" + encode(subject);
        List<Integer> versions = new ArrayList<>();
        String error = null;
        Http.Reply vr = http.get(path + "/versions", deadline);
        if (vr.ok()) {
            Http.JSON.readTree(vr.body()).forEach(n -> versions.add(n.asInt()));
        } else {
            error = "versions: HTTP " + vr.status();
        }
        Integer id = null;
        String type = null;
        String schema = null;
        try {
            Http.Reply lr = http.get(path + "/versions/latest", deadline);
            if (lr.ok()) {
                JsonNode latest = Http.JSON.readTree(lr.body());
                id = latest.hasNonNull("id") ? latest.get("id").asInt() : null;
                type = latest.path("schemaType").asText("AVRO"); // Confluent omits it for Avro
                schema = latest.path("schema").asText(null);
                if (schema != null && schema.length() > MAX_SCHEMA_CHARS) {
                    schema = schema.substring(0, MAX_SCHEMA_CHARS) + " …";
                }
            }
        } catch (Exception e) {
            error = "latest: " + Deadline.reason(e);
        }
        String compatibility = null;
        try {
            Http.Reply cr = http.get(base + "/config/" + encode(subject), deadline);
            // 404: the subject has no level of its own and inherits the registry's.
            compatibility = cr.ok() ? Http.JSON.readTree(cr.body()).path("compatibilityLevel").asText(null) : null;
        } catch (Exception e) {
            error = "config: " + Deadline.reason(e);
        }
        return new SubjectView(subject, versions, id, type, compatibility, schema, error);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void cancelAll(List<? extends Future<?>> fs) {
        fs.forEach(f -> f.cancel(true));
    }
}
