package io.stagecoach.platform.topology;

import java.util.List;
import java.util.Locale;

/**
 * What the broker has that the plan does not say, or lacks that it does, after provisioning; and how many queues
 * each environment's vhost holds. Not clean means the broker does not match: callers exit non-zero.
 *
 * @param differences one per object that differs from the plan
 * @param queues      per vhost of the plan, in plan order: its quorum queues and streams on the broker and in the plan
 * @param node        quorum queues in every vhost of the broker and its open-file limit; null when the broker did not say
 */
public record ProvisioningReport(List<Difference> differences, List<QueueCount> queues, NodeQueues node) {

    /** Each quorum queue reserves this many file handles in RabbitMQ 3.x's file handle cache. */
    public static final int FILE_HANDLES_PER_QUORUM_QUEUE = 3;

    public ProvisioningReport {
        differences = List.copyOf(differences);
        queues = List.copyOf(queues);
    }

    public ProvisioningReport(List<Difference> differences) {
        this(differences, List.of(), null);
    }

    /**
     * One difference.
     *
     * @param vhost   where it is ({@code ""} for objects outside any vhost)
     * @param object  what, e.g. {@code queue promotion.promotion-requested}
     * @param problem how the broker differs from the plan
     * @param fix     what an operator can do about it
     */
    public record Difference(String vhost, String object, String problem, String fix) {
        @Override
        public String toString() {
            return (vhost.isEmpty() ? "" : "vhost " + vhost + ": ") + object + ": " + problem + "; " + fix;
        }
    }

    /**
     * The queues of one environment's vhost.
     *
     * @param environment    the environment (or vhost) as the report names it, e.g. {@code dev}
     * @param quorum         quorum queues in the vhost on the broker
     * @param streams        streams in the vhost on the broker
     * @param plannedQuorum  quorum queues the plan declares there
     * @param plannedStreams streams the plan declares there
     */
    public record QueueCount(String environment, long quorum, long streams, long plannedQuorum, long plannedStreams) {

        /** {@code 17 quorum + 1 stream}, with the plan's figure beside one that differs from it. */
        public String counts() {
            return quorum + " quorum" + (quorum == plannedQuorum ? "" : " (plan: " + plannedQuorum + ")")
                    + " + " + streams + (streams == 1 ? " stream" : " streams")
                    + (streams == plannedStreams ? "" : " (plan: " + plannedStreams + ")");
        }
    }

    /**
     * The broker as a whole: quorum queues in all its vhosts (this pipeline's and any other) and the smallest
     * open-file limit of its nodes, against which each quorum queue reserves {@value #FILE_HANDLES_PER_QUORUM_QUEUE}
     * file handles.
     */
    public record NodeQueues(long quorum, long openFileLimit) {

        /** About a hundred handles go to other uses; past the rest, new connections hang in the handshake. */
        static final long RESERVED_FOR_OTHER_USES = 100;

        public long fileHandles() {
            return quorum * FILE_HANDLES_PER_QUORUM_QUEUE;
        }

        /** Whether the quorum queues take more than three quarters of what the file handle cache may hand out. */
        public boolean isNearTheLimit() {
            return openFileLimit > 0 && fileHandles() * 4 > (openFileLimit - RESERVED_FOR_OTHER_USES) * 3;
        }
    }

    public boolean isClean() {
        return differences.isEmpty();
    }

    /**
     * The queue counts: per environment, in all of them, and on the whole broker (with a warning near its
     * open-file limit); empty when the report carries none.
     */
    public String queueSummary() {
        if (queues.isEmpty()) {
            return "";
        }
        QueueCount all = new QueueCount("in all", queues.stream().mapToLong(QueueCount::quorum).sum(),
                queues.stream().mapToLong(QueueCount::streams).sum(),
                queues.stream().mapToLong(QueueCount::plannedQuorum).sum(),
                queues.stream().mapToLong(QueueCount::plannedStreams).sum());
        int width = Math.max(all.environment().length(),
                queues.stream().mapToInt(q -> q.environment().length()).max().orElse(0));
        StringBuilder text = new StringBuilder("Queues per environment:");
        for (QueueCount count : queues) {
            text.append(System.lineSeparator()).append(String.format(Locale.ROOT, "  %-" + width + "s  %s",
                    count.environment(), count.counts()));
        }
        text.append(System.lineSeparator()).append(String.format(Locale.ROOT, "  %-" + width + "s  %s",
                all.environment(), all.counts()));
        if (node != null) {
            text.append(System.lineSeparator()).append(String.format(Locale.ROOT,
                    "The broker holds %d quorum queues in all its vhosts, about %d file handles (open-file limit %d).",
                    node.quorum(), node.fileHandles(), node.openFileLimit()));
            if (node.isNearTheLimit()) {
                text.append(System.lineSeparator()).append("Warning: near the open-file limit; once the quorum "
                        + "queues take it up new connections hang. Raise the limit (ulimit -n before starting "
                        + "RabbitMQ) or delete vhosts nobody uses.");
            }
        }
        return text.toString();
    }

    /** One line per difference. */
    public String describe() {
        if (isClean()) {
            return "The broker matches the plan.";
        }
        StringBuilder text = new StringBuilder("The broker differs from the plan in ").append(differences.size())
                .append(differences.size() == 1 ? " place:" : " places:");
        differences.forEach(d -> text.append(System.lineSeparator()).append("  - ").append(d));
        return text.toString();
    }
}
