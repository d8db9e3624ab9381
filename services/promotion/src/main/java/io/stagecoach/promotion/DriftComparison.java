package io.stagecoach.promotion;

import java.util.ArrayList;
import java.util.List;

import io.stagecoach.events.DriftDetected.Side;

import org.jspecify.annotations.Nullable;

/**
 * The one rule of drift: what the ledger recorded as deployed must be what the deploy target declares, and what is
 * observed running where anything is. An observation that could not be made is no difference (the smoke tests and the
 * alerts judge a workload that does not answer); a target that declares nothing for a deployed service is one.
 */
final class DriftComparison {

    private DriftComparison() {
    }

    /**
     * The differences between the three sides, one line each, for people; empty when they agree.
     *
     * @param target   what the deploy target is called in the lines ({@code the GitOps overlay})
     * @param desired  what the target declares; null when it declares nothing for the service
     * @param running  what was observed running; null when nothing could be observed
     */
    static List<String> differences(Side recorded, @Nullable Side desired, @Nullable Side running, String target) {
        List<String> differences = new ArrayList<>();
        if (desired == null) {
            differences.add(target + " declares nothing, the ledger recorded " + recorded.describe());
        } else if (!desired.sameAs(recorded)) {
            differences.add(target + " declares " + desired.describe() + ", the ledger recorded "
                    + recorded.describe());
        }
        if (running != null && !running.sameAs(recorded)) {
            differences.add("what runs (" + running.source() + ") is " + running.describe() + ", the ledger recorded "
                    + recorded.describe());
        }
        return differences;
    }
}
