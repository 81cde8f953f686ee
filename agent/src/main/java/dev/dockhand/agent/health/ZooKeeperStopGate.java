package dev.dockhand.agent.health;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A ZooKeeper member may stop when the other members that serve (srvr reports {@code Mode: leader} or
 * {@code follower}) are a majority of the ensemble by themselves: the ensemble keeps its quorum without
 * this one. A member that does not answer counts as not serving. Whether this member serves does not
 * matter: if it does not, its stop takes nothing away.
 */
final class ZooKeeperStopGate implements StopGate {
    private final List<StopGates.Member> others;
    private final ProbeTls tls;

    /** @param tls how to reach the members' secure client ports, or null for plaintext */
    ZooKeeperStopGate(List<StopGates.Member> others, ProbeTls tls) {
        this.others = List.copyOf(others);
        this.tls = tls;
    }

    @Override
    public HealthResult ask(Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int ensemble = others.size() + 1;
        int majority = ensemble / 2 + 1;
        List<String> serving = new ArrayList<>();
        List<String> not = new ArrayList<>();
        for (StopGates.Member m : others) {
            String mode = mode(m, deadline);
            if (mode.equals("leader") || mode.equals("follower")) {
                serving.add(m.host() + " " + mode);
            } else {
                not.add(m.host() + " " + mode);
            }
        }
        String seen = String.join(", ", serving) + (serving.isEmpty() || not.isEmpty() ? "" : "; ") + String.join(", ", not);
        if (serving.size() >= majority) {
            return HealthResult.ok("safe: " + serving.size() + " other members serve, a majority of " + ensemble + " (" + seen + ")",
                    Probes.since(start));
        }
        return HealthResult.notReady("not safe: without this member " + serving.size() + " of " + ensemble + " serve, " + majority
                + " needed for the quorum (" + seen + ")", Probes.since(start));
    }

    /** The member's mode as srvr says it, or why it has none ("not serving", "connection refused (...)"). */
    private String mode(StopGates.Member m, long deadline) {
        try {
            String srvr = ZooKeeperCheck.fourLetter(m.host(), m.port(), "srvr", deadline, tls);
            for (String line : srvr.split("\n")) {
                if (line.startsWith("Mode: ")) {
                    return line.substring("Mode: ".length()).strip();
                }
            }
            return "not serving";
        } catch (IOException e) {
            return Probes.describe(e, m.host(), m.port());
        }
    }
}
