package io.stagecoach.buildcompleted;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.AuditRecord;

import org.springframework.stereotype.Component;

/**
 * The releases registered in this environment, by service and version and by run: folded from the promotion
 * requests with reason BUILD in the audit stream (which the ledger does not keep), so it survives restarts.
 * The first registration of a version wins; a later build of it with another digest is refused.
 */
@Component
public class ReleaseRegistry {

    private final Map<String, Release> byVersion = new ConcurrentHashMap<>();
    private final Map<String, Release> byRun = new ConcurrentHashMap<>();

    /** Feed listener: registers the release of a build promotion request of this environment. */
    void apply(AuditRecord record, String environment) {
        CloudEvent<?> event = record.event();
        if (event.data() instanceof PromotionRequested request
                && request.reason() == PromotionRequested.Reason.BUILD
                && environment.equals(event.environment())) {
            register(request.release());
        }
    }

    /** Registers a release this service just requested, ahead of the stream. */
    void register(Release release) {
        byVersion.putIfAbsent(release.service() + "|" + release.version(), release);
        byRun.putIfAbsent(BuildPolicy.runId(release), release);
    }

    public Optional<Release> registered(String service, String version) {
        return Optional.ofNullable(byVersion.get(service + "|" + version));
    }

    /** The release a run id stands for, once registered. */
    public Optional<Release> run(String runId) {
        return Optional.ofNullable(byRun.get(runId));
    }
}
