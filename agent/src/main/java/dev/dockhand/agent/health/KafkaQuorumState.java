package dev.dockhand.agent.health;

import java.util.List;

/**
 * The KRaft controller quorum as its leader describes it (DescribeQuorum): who leads, in which epoch,
 * and how far each voter is behind. {@code agent status} and the console show it.
 *
 * @param leaderId the leader's node id
 * @param leaderEpoch the leader's epoch (it grows with every election)
 * @param highWatermark the committed end of the metadata log
 * @param voters every voter, the leader among them
 * @param observers the replicas that follow without voting (the brokers)
 */
public record KafkaQuorumState(int leaderId, int leaderEpoch, long highWatermark, List<Replica> voters, List<Replica> observers) {
    public KafkaQuorumState {
        voters = List.copyOf(voters);
        observers = List.copyOf(observers);
    }

    /**
     * One replica of the metadata log.
     *
     * @param id its node id
     * @param logEndOffset its log end offset as the leader knows it, -1 when unknown
     * @param lag records behind the leader's log end offset, -1 when unknown
     * @param lastFetchMsAgo time since it last fetched from the leader (leader's clock), -1 when unknown or
     *     for the leader itself
     * @param lastCaughtUpMsAgo time since it was last caught up with the leader, -1 when unknown
     */
    public record Replica(int id, long logEndOffset, long lag, long lastFetchMsAgo, long lastCaughtUpMsAgo) {}

    /** The voter {@code id}, or null. */
    public Replica voter(int id) {
        return voters.stream().filter(v -> v.id() == id).findFirst().orElse(null);
    }
}
