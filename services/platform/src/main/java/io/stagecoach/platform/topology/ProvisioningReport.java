package io.stagecoach.platform.topology;

import java.util.List;

/**
 * What the broker has that the plan does not say, or lacks that it does, after provisioning.
 * Not clean means the broker does not match: callers exit non-zero.
 */
public record ProvisioningReport(List<Difference> differences) {

    public ProvisioningReport {
        differences = List.copyOf(differences);
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

    public boolean isClean() {
        return differences.isEmpty();
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
