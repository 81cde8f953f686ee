package dev.dockhand.agent.console;

import dev.dockhand.agent.console.Overview.BrokerMetrics;
import dev.dockhand.agent.console.Overview.BrokerView;
import dev.dockhand.agent.console.Overview.GroupView;
import dev.dockhand.agent.console.Overview.KafkaView;
import dev.dockhand.agent.console.Overview.LagView;
import dev.dockhand.agent.console.Overview.NodeView;
import dev.dockhand.agent.console.Overview.PartitionView;
import dev.dockhand.agent.console.Overview.RegistryView;
import dev.dockhand.agent.console.Overview.SubjectView;
import dev.dockhand.agent.console.Overview.Summary;
import dev.dockhand.agent.console.Overview.TopicView;
import dev.dockhand.agent.console.Overview.ZooKeeperMember;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders the overview as one self-contained page: inline CSS, no external resources, readable
 * without JavaScript. The only script reloads {@code <main>} every few seconds when auto-refresh is
 * on; the Content-Security-Policy allows exactly that script (by hash) and nothing else.
 */
final class Page {
    /** Partitions shown as chips in the topic row; beyond this they fold into a details element. */
    static final int OPEN_PARTITIONS = 24;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    static final String CSS = """
            :root{--bg:#f4f5f7;--card:#fff;--ink:#1b2129;--muted:#6a7380;--line:#e2e5e9;--ok:#1b7f46;--okbg:#e3f3e9;\
            --warn:#9a5b00;--warnbg:#fdf0d9;--bad:#b9232a;--badbg:#fbe4e5;--accent:#2a5bd7}
            *{box-sizing:border-box}
            body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;\
            background:var(--bg);color:var(--ink)}
            header{display:flex;align-items:center;gap:18px;padding:10px 22px;background:#1b2129;color:#fff}
            header .brand{font-weight:700;font-size:15px}header .brand span{font-weight:400;opacity:.65}
            header .auto{margin-left:auto;font-size:12px;opacity:.85}
            header .who{margin-left:auto;font-size:12px;opacity:.85}header .who~.auto{margin-left:0}
            main{padding:16px 22px;max-width:1480px;margin:0 auto}
            .status{color:var(--muted);margin:0 0 12px}.status b{color:var(--ink)}
            .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:10px;margin-bottom:16px}
            .tile{background:var(--card);border:1px solid var(--line);border-left:4px solid #c9ced6;border-radius:6px;padding:7px 12px}
            .tile .v{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
            .tile .k{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
            .tile.ok{border-left-color:var(--ok)}.tile.warn{border-left-color:#e09b1a}.tile.bad{border-left-color:var(--bad)}
            .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:0 16px}
            section.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:12px 14px;\
            margin-bottom:16px;overflow-x:auto}
            h2{font-size:15px;margin:0 0 8px}h2 small{font-weight:400;color:var(--muted);font-size:12px;margin-left:6px}
            table{border-collapse:collapse;width:100%}
            th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
            tr:last-child td{border-bottom:0}
            th{font-size:11px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
            .n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            tr.warn td{background:var(--warnbg)}tr.bad td{background:var(--badbg)}
            .b{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;line-height:20px;\
            background:#eceef1;color:var(--muted);white-space:nowrap}
            .b.ok{background:var(--okbg);color:var(--ok)}.b.warn{background:var(--warnbg);color:var(--warn)}\
            .b.bad{background:var(--badbg);color:var(--bad)}
            .chips{display:flex;flex-wrap:wrap;gap:4px}
            .chip,.mono,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px}
            .chip{padding:0 6px;line-height:20px;border:1px solid var(--line);border-radius:4px;background:#fafbfc;white-space:nowrap}
            .chip.warn{border-color:#eac68c;background:var(--warnbg)}.chip.bad{border-color:#e8a2a5;background:var(--badbg)}
            .muted{color:var(--muted)}.err{color:var(--bad)}.tag{font-size:11px;color:var(--muted);margin-left:6px}
            .svc{display:grid;grid-template-columns:150px 100px 1fr;gap:8px;align-items:baseline;margin:2px 0}\
            .svc b{overflow-wrap:anywhere}.svc .b{justify-self:start}.nowrap{white-space:nowrap}
            pre{white-space:pre-wrap;word-break:break-all;max-height:220px;overflow:auto;background:#f6f7f9;padding:8px;\
            border-radius:4px;margin:4px 0 0}
            details summary{cursor:pointer;color:var(--accent)}
            footer{padding:6px 22px 24px;color:var(--muted);font-size:12px;text-align:center}
            a{color:var(--accent)}
            """;

    private final int refreshSeconds;
    private final String script;

    Page(int refreshSeconds) {
        this.refreshSeconds = refreshSeconds;
        this.script = refreshSeconds <= 0 ? "" : """
                (function(){var c=document.getElementById('auto');if(!c)return;\
                c.checked=localStorage.getItem('dockhand-auto')!=='0';\
                c.addEventListener('change',function(){localStorage.setItem('dockhand-auto',c.checked?'1':'0')});\
                setInterval(function(){if(!c.checked||document.hidden)return;\
                fetch(location.pathname,{cache:'no-store'}).then(function(r){return r.text()}).then(function(t){\
                var m=new DOMParser().parseFromString(t,'text/html').querySelector('main');\
                if(m)document.querySelector('main').replaceWith(m)}).catch(function(){})},%d);})();"""
                .formatted(refreshSeconds * 1000);
    }

    /** The page's Content-Security-Policy: inline CSS, our one script by hash, fetch to ourselves. */
    String contentSecurityPolicy() {
        String scripts = script.isEmpty() ? "'none'" : "'sha256-" + sha256(script) + "'";
        return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; "
                + "script-src " + scripts + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    String render(Overview o) {
        return render(o, null);
    }

    /** The page for {@code user} (shown in the header), or for nobody in particular when null (no login). */
    String render(Overview o, Logins.User user) {
        Html h = new Html();
        h.raw("<!doctype html>").open("html", "lang", "en").open("head")
                .raw("<meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .el("title", o.clusterName() + " · dockhand console")
                .open("style").raw(CSS).close("style").close("head").open("body");
        h.open("header").open("div", "class", "brand").text("dockhand ").el("span", "console").close("div")
                .open("div").text("cluster ").el("b", o.clusterName()).close("div");
        if (user != null) {
            h.open("div", "class", "who").text("signed in as ").el("b", user.name()).text(" (" + user.role() + ")").close("div");
        }
        if (refreshSeconds > 0) {
            h.open("label", "class", "auto").raw("<input type=\"checkbox\" id=\"auto\"> ")
                    .text("auto-refresh every " + refreshSeconds + " s").close("label");
        }
        h.close("header").open("main");
        status(h, o);
        tiles(h, o.summary(), o);
        // with their metrics the brokers need the page's width; without, they share it with ZooKeeper
        boolean wideBrokers = o.kafka().brokers().stream().anyMatch(b -> b.metrics() != null);
        if (wideBrokers) {
            brokers(h, o.kafka());
        }
        h.open("div", "class", "grid");
        if (!wideBrokers) {
            brokers(h, o.kafka());
        }
        if (o.kafka().quorum() != null) {
            quorum(h, o.kafka().quorum());
        } else {
            zookeeper(h, o);
        }
        h.close("div");
        nodes(h, o);
        topics(h, o.kafka());
        h.open("div", "class", "grid");
        groups(h, o.kafka());
        schemas(h, o.registry());
        h.close("div");
        h.close("main");
        h.open("footer")
                .text("Read-only console: it has no actions. Restart or stop a service with `agent restart|stop SERVICE` on its node. ")
                .text("Page generated " + TIME.format(Instant.ofEpochMilli(o.generatedAtMs())) + " in " + o.collectMs() + " ms · ")
                .open("a", "href", "/api/overview").text("JSON").close("a").text(" · ")
                .open("a", "href", "/metrics").text("metrics").close("a")
                .close("footer");
        if (!script.isEmpty()) {
            h.open("script").raw(script).close("script");
        }
        return h.close("body").close("html").toString();
    }

    private static void status(Html h, Overview o) {
        KafkaView k = o.kafka();
        h.open("p", "class", "status");
        if (k.reachable()) {
            h.text("Kafka cluster id ").el("b", k.clusterId()).text(" · controller ")
                    .el("b", k.controllerId() == null ? "none" : "broker " + k.controllerId());
        } else {
            h.el("span", "err", "Kafka: " + k.error());
        }
        h.text(" · refreshed " + TIME.format(Instant.ofEpochMilli(o.generatedAtMs())));
        h.close("p");
    }

    private static void tiles(Html h, Summary s, Overview o) {
        h.open("div", "class", "tiles");
        tile(h, "Brokers", String.valueOf(s.brokers()), o.kafka().reachable() && s.brokers() > 0 ? "ok" : "bad");
        tile(h, "Topics", String.valueOf(s.topics()), null);
        tile(h, "Partitions", String.valueOf(s.partitions()), null);
        tile(h, "Under-replicated", String.valueOf(s.underReplicatedPartitions()), s.underReplicatedPartitions() > 0 ? "warn" : "ok");
        tile(h, "Offline partitions", String.valueOf(s.offlinePartitions()), s.offlinePartitions() > 0 ? "bad" : "ok");
        tile(h, "Consumer lag", String.valueOf(s.totalLag()), null);
        if (s.zookeeperMembers() > 0) {
            tile(h, "ZooKeeper", s.zookeeperUp() + "/" + s.zookeeperMembers(),
                    o.zookeeper().quorum() ? (s.zookeeperUp() == s.zookeeperMembers() ? "ok" : "warn") : "bad");
        }
        tile(h, "Nodes up", s.nodesUp() + "/" + s.nodes(), s.nodesUp() == s.nodes() ? "ok" : s.nodesUp() == 0 ? "bad" : "warn");
        tile(h, "Schemas", String.valueOf(s.subjects()), o.registry().configured() ? (o.registry().reachable() ? "ok" : "bad") : null);
        h.close("div");
    }

    private static void tile(Html h, String key, String value, String cls) {
        h.open("div", "class", cls == null ? "tile" : "tile " + cls)
                .el("div", "v", value).el("div", "k", key).close("div");
    }

    private static void brokers(Html h, KafkaView k) {
        h.open("section", "class", "card", "id", "brokers").open("h2").text("Brokers")
                .el("small", k.reachable() ? "" : k.error()).close("h2");
        if (!k.problems().isEmpty()) {
            h.el("p", "err", String.join("; ", k.problems()));
        }
        boolean metrics = k.brokers().stream().anyMatch(b -> b.metrics() != null);
        h.open("table").raw("<tr><th class=\"n\">id</th><th>host</th><th>rack</th><th>role</th><th>state</th>"
                + (metrics ? "<th class=\"n\" title=\"under-replicated partitions it leads\">URP</th>"
                        + "<th class=\"n\">msgs in/s</th><th class=\"n\">in · out /s</th>"
                        + "<th class=\"n\" title=\"99th percentile of a produce request's time\">produce p99</th>"
                        + "<th class=\"n\" title=\"request handler threads idle (near 0: saturated)\">idle</th>"
                        + "<th class=\"n\" title=\"times a replica fell out of sync since the broker started\">ISR shrinks</th>" : "")
                + "</tr>");
        for (BrokerView b : k.brokers()) {
            h.open("tr", "class", b.reachable() ? null : "bad", "data-broker", String.valueOf(b.id()))
                    .el("td", "n", b.id())
                    .el("td", "mono", b.host() == null ? "–" : b.host() + ":" + b.port())
                    .el("td", b.rack() == null ? "–" : b.rack())
                    .el("td", b.controller() ? "controller" : "");
            h.open("td");
            badge(h, b.reachable() ? "up" : b.registered() ? "unreachable" : "offline", b.reachable() ? "ok" : "bad");
            if (!b.reachable()) {
                h.el("span", "tag", b.detail());
            }
            h.close("td");
            if (metrics) {
                brokerMetrics(h, b.metrics());
            }
            h.close("tr");
        }
        if (k.brokers().isEmpty()) {
            h.open("tr").open("td", "colspan", metrics ? "11" : "5").el("span", "muted", "no brokers known").close("td").close("tr");
        }
        h.close("table").close("section");
    }

    /** The broker's own metrics as six cells: a dash for a figure it did not report (or no rate yet). */
    private static void brokerMetrics(Html h, BrokerMetrics m) {
        if (m == null || !m.up()) {
            h.open("td", "colspan", "6").el("span", "muted", m == null ? "–" : "metrics: " + m.error()).close("td");
            return;
        }
        Double urp = m.underReplicatedPartitions();
        h.el("td", urp != null && urp > 0 ? "n err" : "n", number(urp, "%.0f"))
                .el("td", "n", number(m.messagesInPerSec(), "%.1f"))
                .el("td", "n nowrap", (m.bytesInPerSec() == null ? "–" : bytes(Math.round(m.bytesInPerSec()))) + " · "
                        + (m.bytesOutPerSec() == null ? "–" : bytes(Math.round(m.bytesOutPerSec()))))
                .el("td", "n", m.produceP99Ms() == null ? "–" : number(m.produceP99Ms(), "%.0f") + " ms")
                .el("td", "n", m.requestHandlerIdlePercent() == null ? "–" : number(m.requestHandlerIdlePercent(), "%.0f") + " %")
                .el("td", "n", number(m.isrShrinks(), "%.0f"));
    }

    private static String number(Double v, String format) {
        return v == null || v.isNaN() || v.isInfinite() ? "–" : String.format(Locale.ROOT, format, v);
    }

    private static void zookeeper(Html h, Overview o) {
        h.open("section", "class", "card", "id", "zookeeper").open("h2").text("ZooKeeper ensemble");
        if (o.zookeeper().configured()) {
            h.el("small", o.zookeeper().quorum() ? "quorum" : "NO QUORUM");
        } else {
            h.el("small", "not configured (zookeeper.connect is empty)");
        }
        h.close("h2");
        h.open("table").raw("<tr><th>member</th><th>mode</th><th>detail</th><th class=\"n\">latency</th></tr>");
        for (ZooKeeperMember m : o.zookeeper().members()) {
            h.open("tr", "class", m.up() ? null : "bad").el("td", "mono", m.address()).open("td");
            badge(h, m.mode(), m.up() ? "ok" : "bad");
            h.close("td").el("td", m.up() ? "muted" : "err", m.detail()).el("td", "n", m.latencyMs() + " ms").close("tr");
        }
        h.close("table").close("section");
    }

    /** KRaft: the controller quorum (leader, voters and their lag) where ZooKeeper mode shows the ensemble. */
    private static void quorum(Html h, Overview.QuorumView q) {
        h.open("section", "class", "card", "id", "quorum").open("h2").text("KRaft controller quorum");
        h.el("small", "leader " + q.leaderId() + " · epoch " + q.leaderEpoch() + " · high watermark " + q.highWatermark()).close("h2");
        h.open("table").raw("<tr><th>voter</th><th class=\"n\">log end</th><th class=\"n\">lag</th>"
                + "<th class=\"n\">last fetch</th><th class=\"n\">caught up</th></tr>");
        for (Overview.ReplicaView v : q.voters()) {
            boolean leader = v.id() == q.leaderId();
            boolean behind = !leader && (v.lastCaughtUpMsAgo() < 0 || v.lastCaughtUpMsAgo() > 10_000);
            h.open("tr", "class", behind ? "bad" : null).open("td").text(String.valueOf(v.id())).text(" ");
            badge(h, leader ? "leader" : behind ? "behind" : "follower", behind ? "bad" : "ok");
            h.close("td").el("td", "n", v.logEndOffset() < 0 ? "–" : String.valueOf(v.logEndOffset()))
                    .el("td", "n", v.lag() < 0 ? "–" : String.valueOf(v.lag()))
                    .el("td", "n", v.lastFetchMsAgo() < 0 ? "–" : v.lastFetchMsAgo() + " ms ago")
                    .el("td", "n", v.lastCaughtUpMsAgo() < 0 ? "–" : v.lastCaughtUpMsAgo() + " ms ago").close("tr");
        }
        h.close("table").close("section");
    }

    private static void nodes(Html h, Overview o) {
        h.open("section", "class", "card", "id", "nodes").open("h2").text("Nodes")
                .el("small", o.summary().nodesUp() + " of " + o.summary().nodes() + " agents answer").close("h2");
        h.open("table").raw("<tr><th>role</th><th>node</th><th>agent</th><th class=\"n\">uptime</th><th>services</th></tr>");
        for (NodeView n : o.nodes()) {
            AgentSnapshot a = n.agent();
            String rowClass = !n.up() ? "bad" : "READY".equals(a.state()) ? null : "warn";
            h.open("tr", "class", rowClass, "data-node", n.address(), "data-up", String.valueOf(n.up()))
                    .el("td", n.role()).open("td").el("div", "mono", n.address());
            if (a != null && a.fqdn() != null && !n.address().startsWith(a.fqdn() + ":")) {
                h.el("div", "muted nowrap", a.fqdn());
            }
            h.close("td").open("td");
            if (a == null) {
                badge(h, n.status(), "bad");
            } else {
                badge(h, a.state(), stateClass(a.state()));
                h.el("span", "tag", "node " + a.nodeId() + " · pid " + a.agentPid());
            }
            h.close("td").el("td", "n", a == null ? "–" : duration(a.uptimeMs())).open("td");
            if (a != null) {
                for (ServiceSnapshot s : a.services()) {
                    String state = s.state() == null ? "?" : s.state().name();
                    h.open("div", "class", "svc").el("b", s.id());
                    badge(h, state, stateClass(state));
                    StringBuilder d = new StringBuilder();
                    d.append("restarts ").append(s.restarts());
                    if (s.lastProbe() != null) {
                        d.append(" · probe ").append(s.lastProbe().ok() ? "ok" : "failed").append(' ')
                                .append(s.lastProbe().latencyMs()).append(" ms, ")
                                .append(duration(Math.max(0, o.generatedAtMs() - s.lastProbe().atMs()))).append(" ago");
                        if (s.lastProbe().detail() != null && !s.lastProbe().detail().isBlank()) {
                            d.append(": ").append(s.lastProbe().detail());
                        }
                    }
                    if (s.reason() != null && !s.reason().isBlank() && !"READY".equals(state)) {
                        d.append(" · ").append(s.reason());
                    }
                    h.el("span", "muted", d).close("div");
                }
                if (a.services().isEmpty()) {
                    h.el("span", "muted", "no services");
                }
            }
            h.close("td").close("tr");
        }
        if (o.nodes().isEmpty()) {
            h.open("tr").open("td", "colspan", "5").el("span", "muted", "no agents configured (agents is empty)").close("td").close("tr");
        }
        h.close("table").close("section");
    }

    private static void topics(Html h, KafkaView k) {
        h.open("section", "class", "card", "id", "topics").open("h2").text("Topics")
                .el("small", "partition chips: p<partition> L<leader>; amber = under-replicated, red = offline").close("h2");
        h.open("table").raw("<tr><th>topic</th><th class=\"n\">partitions</th><th class=\"n\">RF</th>"
                + "<th class=\"n\">under-repl.</th><th class=\"n\">offline</th><th class=\"n\">size</th><th>leaders · ISR</th></tr>");
        for (TopicView t : k.topics()) {
            String rowClass = t.offline() > 0 ? "bad" : t.underReplicated() > 0 ? "warn" : null;
            h.open("tr", "class", rowClass, "data-topic", t.name()).open("td").el("span", "mono", t.name());
            if (t.internal()) {
                h.el("span", "tag", "internal");
            }
            h.close("td").el("td", "n", t.partitionCount()).el("td", "n", t.replicationFactor())
                    .el("td", "n", t.underReplicated()).el("td", "n", t.offline())
                    .el("td", "n", t.sizeBytes() == null ? "–" : bytes(t.sizeBytes())).open("td");
            boolean fold = t.partitions().size() > OPEN_PARTITIONS;
            if (fold) {
                h.open("details").el("summary", t.partitions().size() + " partitions");
            }
            h.open("div", "class", "chips");
            for (PartitionView p : t.partitions()) {
                String cls = p.offline() ? "chip bad" : p.underReplicated() ? "chip warn" : "chip";
                h.el("span", cls, "p" + p.partition() + " L" + (p.leader() < 0 ? "none" : p.leader())
                        + " isr" + ids(p.isr()) + (p.underReplicated() ? "/" + ids(p.replicas()) : ""));
            }
            h.close("div");
            if (fold) {
                h.close("details");
            }
            h.close("td").close("tr");
        }
        if (k.topics().isEmpty()) {
            h.open("tr").open("td", "colspan", "7").el("span", "muted", k.reachable() ? "no topics" : "Kafka not reachable").close("td").close("tr");
        }
        h.close("table").close("section");
    }

    private static void groups(Html h, KafkaView k) {
        h.open("section", "class", "card", "id", "groups").open("h2").text("Consumer groups").close("h2");
        h.open("table").raw("<tr><th>group</th><th>state</th><th class=\"n\">members</th><th class=\"n\">lag</th><th>lag per partition</th></tr>");
        for (GroupView g : k.groups()) {
            h.open("tr", "data-group", g.groupId()).el("td", "mono", g.groupId()).open("td");
            badge(h, g.state(), groupClass(g.state()));
            h.close("td").el("td", "n", g.members()).el("td", "n", g.totalLag()).open("td").open("div", "class", "chips");
            for (LagView l : g.lag()) {
                h.el("span", l.lag() > 0 ? "chip warn" : "chip", l.topic() + "-" + l.partition() + " lag " + l.lag());
            }
            h.close("div");
            if (g.error() != null) {
                h.el("div", "err", g.error());
            }
            h.close("td").close("tr");
        }
        if (k.groups().isEmpty()) {
            h.open("tr").open("td", "colspan", "5").el("span", "muted", "no consumer groups").close("td").close("tr");
        }
        h.close("table").close("section");
    }

    private static void schemas(Html h, RegistryView r) {
        h.open("section", "class", "card", "id", "schemas").open("h2").text("Schemas");
        if (!r.configured()) {
            h.el("small", "registry not configured");
        } else {
            h.el("small", (r.url() == null ? "" : r.url()) + (r.compatibility() == null ? "" : " · default compatibility " + r.compatibility()));
        }
        h.close("h2");
        if (r.configured() && r.error() != null) {
            h.el("p", "err", r.error());
        }
        h.open("table").raw("<tr><th>subject</th><th>versions</th><th class=\"n\">latest id</th><th>type</th><th>compatibility</th></tr>");
        for (SubjectView s : r.subjects()) {
            h.open("tr", "data-subject", s.subject()).open("td").el("div", "mono", s.subject());
            if (s.schema() != null) {
                h.open("details").el("summary", "schema").el("pre", s.schema()).close("details");
            }
            if (s.error() != null) {
                h.el("div", "err", s.error());
            }
            h.close("td").el("td", s.versions().stream().map(String::valueOf).collect(Collectors.joining(", ")))
                    .el("td", "n", s.latestId() == null ? "–" : s.latestId())
                    .el("td", s.schemaType() == null ? "–" : s.schemaType())
                    .el("td", s.compatibility() != null ? s.compatibility()
                            : r.compatibility() == null ? "–" : r.compatibility() + " (default)")
                    .close("tr");
        }
        if (r.reachable() && r.subjects().isEmpty()) {
            h.open("tr").open("td", "colspan", "5").el("span", "muted", "no subjects").close("td").close("tr");
        }
        h.close("table").close("section");
    }

    private static void badge(Html h, String text, String cls) {
        h.el("span", cls == null ? "b" : "b " + cls, text);
    }

    static String stateClass(String state) {
        if (state == null) {
            return "bad";
        }
        return switch (state) {
            case "READY", "EXITED", "up" -> "ok";
            case "PENDING", "PREPARING", "STARTING", "UNHEALTHY", "BACKOFF", "STOPPING", "DEGRADED" -> "warn";
            case "FAILED", "STOPPED" -> "bad";
            default -> state.startsWith("down") ? "bad" : null;
        };
    }

    private static String groupClass(String state) {
        return switch (state) {
            case "STABLE", "Stable" -> "ok";
            case "PREPARING_REBALANCE", "COMPLETING_REBALANCE", "PreparingRebalance", "CompletingRebalance", "ASSIGNING", "RECONCILING" -> "warn";
            case "DEAD", "Dead" -> "bad";
            default -> null;
        };
    }

    private static String ids(List<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    }

    static String duration(long ms) {
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86400 + "d " + s % 86400 / 3600 + "h";
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    private static String sha256(String s) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
