package io.stagecoach.promotion;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the promotion service compares what runs with what its ledger recorded (drift).
 *
 * @param enabled   whether it compares at all
 * @param interval  how often: a difference seen on two checks in a row is announced, so within two intervals
 *                  (6 s by default, plus the checks themselves)
 * @param workloads per service, where to ask the workload what it runs, for targets that cannot observe it themselves
 *                  (the GitOps target: a Kubernetes target reads its pods)
 */
@ConfigurationProperties("stagecoach.drift")
record DriftProperties(@DefaultValue("true") boolean enabled, @DefaultValue("3s") Duration interval,
                       @DefaultValue Map<String, Workload> workloads) {

    DriftProperties {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("stagecoach.drift.interval must be positive, was " + interval);
        }
    }

    /**
     * @param url          the URL answering with the version the workload runs; {@code {environment}},
     *                     {@code {namespace}} and {@code {service}} are replaced
     * @param versionField the field of its JSON answer that holds the version (dotted path)
     * @param timeout      how long one question waits
     */
    record Workload(String url, @DefaultValue("version") String versionField,
                    @DefaultValue("2s") Duration timeout) {

        Workload {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("stagecoach.drift.workloads.<service>.url is required");
            }
        }
    }

    /** Where to ask {@code service}'s workload, if anywhere. */
    @Nullable Workload workload(String service) {
        return workloads.get(service);
    }
}
