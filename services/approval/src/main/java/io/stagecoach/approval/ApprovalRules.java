package io.stagecoach.approval;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import io.stagecoach.events.EventType;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.environments.FreezeSchedule;
import io.stagecoach.platform.topology.Provenance;

/**
 * What the gated environment's configuration says about decisions. The approval service trusts only this, never
 * the approvers, minimum or times a request carries (those are written by the previous environment, for people to
 * read).
 *
 * @param environment        the gated environment's name
 * @param decisionPublishers RabbitMQ users whose {@code approval.decided} messages count (e.g. {@code prod-chatops})
 * @param approvers          the people who may decide, teams expanded
 * @param minApprovals       approvals from distinct people a grant needs (at least 1)
 * @param approvalTtl        how long a request waits for a decision once this environment received it
 * @param withdrawers        RabbitMQ users whose {@code release.withdrawn} counts: the previous environment's
 *                           rollback service (e.g. {@code staging-rollback})
 * @param freeze             when the environment is frozen: an override then needs a second approver (ADR 38)
 * @param signed             where decisions must be people's signed clicks, how they are verified (ADR 42); null
 *                           where the approver is who the decision publisher says
 */
record ApprovalRules(String environment, Set<String> decisionPublishers, Set<String> approvers, int minApprovals,
        Duration approvalTtl, Set<String> withdrawers, FreezeSchedule freeze, SignedDecisions signed) {

    ApprovalRules(String environment, Set<String> decisionPublishers, Set<String> approvers, int minApprovals,
                  Duration approvalTtl, Set<String> withdrawers, FreezeSchedule freeze) {
        this(environment, decisionPublishers, approvers, minApprovals, approvalTtl, withdrawers, freeze, null);
    }

    /** Rules of an environment that is never frozen. */
    ApprovalRules(String environment, Set<String> decisionPublishers, Set<String> approvers, int minApprovals,
                  Duration approvalTtl, Set<String> withdrawers) {
        this(environment, decisionPublishers, approvers, minApprovals, approvalTtl, withdrawers, FreezeSchedule.NONE);
    }

    ApprovalRules {
        decisionPublishers = Set.copyOf(decisionPublishers);
        approvers = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(approvers));
        minApprovals = Math.max(1, minApprovals);
        withdrawers = Set.copyOf(withdrawers);
    }

    static ApprovalRules of(Environments environments, Environment environment, Provenance provenance) {
        return of(environments, environment, provenance, null);
    }

    static ApprovalRules of(Environments environments, Environment environment, Provenance provenance,
                            SignedDecisions signed) {
        return new ApprovalRules(environment.name(),
                provenance.publishersOf(EventType.APPROVAL_DECIDED, environment.name()),
                environments.approvingPeople(environment.name()), environment.minApprovals(), environment.approvalTtl(),
                provenance.publishersOf(EventType.RELEASE_WITHDRAWN, environment.name()), environment.freeze(), signed);
    }

    /** These rules, where decisions must be people's clicks as {@code newSigned} verifies them. */
    ApprovalRules withSigned(SignedDecisions newSigned) {
        return new ApprovalRules(environment, decisionPublishers, approvers, minApprovals, approvalTtl, withdrawers,
                freeze, newSigned);
    }
}
