package io.stagecoach.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.stagecoach.testing.TestBroker;
import org.awaitility.Awaitility;

/** The settings this module's end-to-end classes start their pipeline from; each adds what it needs. */
final class EndToEndPipelines {

    static {
        // Awaitility fails an await on an uncaught exception of any thread of the JVM by default; end-to-end classes
        // run concurrently in one JVM, and one that kills services (ServiceFaultsEndToEndTests) leaves their
        // connection threads throwing at an executor already shut down: no other class's await may fail on that.
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    private EndToEndPipelines() {
    }

    /**
     * The whole pipeline against the test broker under the class's prefix, {@code services} promoted (each with its
     * demo image), prod's approvals expiring after {@code prodApprovalTtl}, short retries and smoke deadlines, and a
     * log file of its own under {@code target}.
     */
    static LocalPipelineSettings.Builder settings(TestBroker broker, Path workdir, List<String> services,
            String prodApprovalTtl, String logFile) throws IOException {
        LocalPipelineSettings.Builder settings = LocalPipelineSettings.builder(workdir.resolve("pipeline"))
                .amqpAddresses(broker.amqpAddresses())
                .environmentsFile(EnvironmentsFile.write(workdir, services, prodApprovalTtl))
                .vhostPrefix(broker.prefix())
                .smokeDeadline(Duration.ofSeconds(3))
                .logFile(Path.of("target", logFile))
                .property("stagecoach.resilience.retry.initial-backoff", "50ms")
                .property("spring.rabbitmq.listener.simple.retry.initial-interval", "100ms");
        services.forEach(service -> settings.image(service, Releases.IMAGES + service));
        return settings;
    }
}
