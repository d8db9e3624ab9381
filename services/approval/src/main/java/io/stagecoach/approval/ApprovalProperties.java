package io.stagecoach.approval;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the approval service keeps time.
 *
 * @param sweepInterval  how often pending requests are checked for expiry (and supersession)
 * @param catchUpTimeout how long a decision waits for the ledger to read the event it decides on (a sweep: this process's last publish)
 * @param slack          people verified by Slack (ADR 42): with a signing secret, a decision counts only as a person's
 *                       click that Slack signed
 */
@ConfigurationProperties("stagecoach.approval")
record ApprovalProperties(
        @DefaultValue("30s") Duration sweepInterval,
        @DefaultValue("10s") Duration catchUpTimeout,
        @DefaultValue Slack slack) {

    /**
     * @param signingSecret the Slack app's signing secret; none: decisions are not verified, the approver is who
     *                      the decision publisher says
     * @param people        {@code <team id>/<user id>} to the person's name in the environments file
     * @param authors       a release author as CI names them to their {@code <team id>/<user id>}
     * @param window        how far a click's Slack timestamp may be from its decision's time
     */
    record Slack(@org.jspecify.annotations.Nullable String signingSecret, @DefaultValue Map<String, String> people,
                 @DefaultValue Map<String, String> authors, @DefaultValue("5m") Duration window) {

        /** The verification these settings ask for, or null for none. */
        SignedDecisions signed() {
            return signingSecret == null || signingSecret.isBlank() ? null
                    : new SignedDecisions(signingSecret, people, authors, window);
        }
    }
}
