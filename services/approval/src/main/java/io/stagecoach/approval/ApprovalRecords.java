package io.stagecoach.approval;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.ledger.AuditRecord;

/**
 * The whole request and grant events of this environment, as read from its audit stream next to the ledger (which
 * keeps their data only): their envelopes carry the run's correlation id for the events that end a request, and a
 * grant is what a promotion is rebuilt from if publishing it failed after the grant went out.
 */
final class ApprovalRecords {

    private final String environment;
    private final Map<String, CloudEvent<ApprovalRequested>> requests = new ConcurrentHashMap<>();
    private final Map<String, CloudEvent<ApprovalGranted>> grants = new ConcurrentHashMap<>();

    ApprovalRecords(String environment) {
        this.environment = environment;
    }

    /** Takes one record of the audit stream; the first event for a request id wins, as in the ledger. */
    @SuppressWarnings("unchecked")
    void record(AuditRecord record) {
        CloudEvent<?> event = record.event();
        if (!environment.equals(event.environment())) {
            return;
        }
        if (event.data() instanceof ApprovalRequested requested) {
            requests.putIfAbsent(requested.requestId(), (CloudEvent<ApprovalRequested>) event);
        } else if (event.data() instanceof ApprovalGranted granted) {
            grants.putIfAbsent(granted.requestId(), (CloudEvent<ApprovalGranted>) event);
        }
    }

    Optional<CloudEvent<ApprovalRequested>> request(String requestId) {
        return Optional.ofNullable(requests.get(requestId));
    }

    /** Ids of every request granted in this environment. */
    Set<String> grantedRequestIds() {
        return Set.copyOf(grants.keySet());
    }

    Optional<CloudEvent<ApprovalGranted>> grant(String requestId) {
        return Optional.ofNullable(grants.get(requestId));
    }
}
