package io.stagecoach.ledger;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

@RealBroker
class LedgerFeedTests {

    static final String SERVICE = "knative-lambda-builder";
    static final Duration WAIT = Duration.ofSeconds(10);

    final EventCodec codec = new EventCodec();
    TestBroker broker;
    String vhost;
    ConnectionFactory factory;
    LedgerFeed feed;

    @BeforeEach
    void createStream(TestBroker broker) throws Exception {
        this.broker = broker;
        vhost = broker.createVhost("dev-" + UUID.randomUUID().toString().substring(0, 8));
        factory = broker.adminConnectionFactory(vhost);
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(BrokerNames.AUDIT_STREAM, true, false, false, Map.of("x-queue-type", "stream"));
        }
    }

    @AfterEach
    void stop() {
        if (feed != null) {
            feed.close();
        }
    }

    static Release release(String version) {
        return new Release(SERVICE, version, "ghcr.io/example/knative-lambda-builder",
                "sha256:" + "a".repeat(63) + version.length(), "0123456789abcdef0123456789abcdef01234567", "carol");
    }

    void append(CloudEvent<?> event) throws Exception {
        appendRaw(codec.encode(event));
    }

    void appendRaw(byte[] body) throws Exception {
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("", BrokerNames.AUDIT_STREAM, new AMQP.BasicProperties.Builder()
                    .contentType(BrokerNames.CONTENT_TYPE).deliveryMode(2).build(), body);
            channel.waitForConfirmsOrDie(WAIT.toMillis());
        }
    }

    CloudEvent<?> deployed(String version) {
        return CloudEvent.of(new DeploymentCompleted(release(version), "dev", "gitops", "rev-" + version, null, false),
                "/stagecoach/dev/promotion", "dev", EventIds.derive("run", version), EventIds.derive("cause", version),
                EventIds.derive("deployed", version));
    }

    CloudEvent<?> verified(String version) {
        return CloudEvent.of(new SmokeTestPassed(release(version), "dev", List.of(
                new SmokeCheck("health", "http://127.0.0.1:8080/health", 200, 200, SmokeCheck.Result.PASSED, "ok", 5))), "/stagecoach/dev/smoke-test",
                "dev", EventIds.derive("run", version), EventIds.derive("deployed", version), EventIds.derive("verified", version));
    }

    @Test
    void replaysTheStreamFromItsStartBeforeStartReturns() throws Exception {
        append(deployed("1.0.0"));
        append(verified("1.0.0"));
        append(deployed("1.1.0"));

        feed = new LedgerFeed(factory, new EnvironmentLedger("dev"), codec).start(WAIT);

        EnvironmentLedger ledger = feed.ledger();
        assertThat(ledger.applied()).isEqualTo(3);
        assertThat(ledger.isVerified(release("1.0.0"))).isTrue();
        assertThat(ledger.running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("1.1.0");
    }

    @Test
    void catchUpWaitsForWhatWasAppendedSinceStart() throws Exception {
        feed = new LedgerFeed(factory, new EnvironmentLedger("dev"), codec).start(WAIT);
        List<AuditRecord> records = new CopyOnWriteArrayList<>();
        feed.onRecord(records::add);

        append(deployed("2.0.0"));
        append(verified("2.0.0"));
        feed.catchUp(WAIT);

        assertThat(feed.ledger().isVerified(release("2.0.0"))).isTrue();
        assertThat(records).extracting(r -> r.event().type())
                .containsExactly("io.stagecoach.deployment.completed.v1", "io.stagecoach.smoketest.passed.v1");
    }

    @Test
    void catchUpReturnsAndAcksCleanlyWhileRecordsKeepArriving() throws Exception {
        List<Throwable> consumerErrors = new CopyOnWriteArrayList<>();
        factory.setExceptionHandler(new ForgivingExceptionHandler() {
            @Override
            public void handleConsumerException(Channel channel, Throwable exception, Consumer consumer,
                                                String consumerTag, String methodName) {
                consumerErrors.add(exception);
            }
        });
        feed = new LedgerFeed(factory, new EnvironmentLedger("dev"), codec).start(WAIT);
        AtomicBoolean appending = new AtomicBoolean(true);
        Thread appender = new Thread(() -> {
            try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                channel.confirmSelect();
                for (int i = 0; appending.get(); i++) {
                    channel.basicPublish("", BrokerNames.AUDIT_STREAM, new AMQP.BasicProperties.Builder()
                            .deliveryMode(2).build(), codec.encode(deployed("3.0." + i)));
                    channel.waitForConfirmsOrDie(WAIT.toMillis());
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                consumerErrors.add(e);
            }
        });
        appender.start();
        try {
            for (int i = 0; i < 5; i++) {
                assertTimeoutPreemptively(Duration.ofSeconds(3), () -> feed.catchUp(WAIT), "catch-up " + i);
            }
        } finally {
            appending.set(false);
            appender.join(WAIT.toMillis());
        }
        assertThat(consumerErrors).isEmpty();
    }

    @Test
    void recordsThatAreNotEventsAreSkippedWithoutStallingTheFeed() throws Exception {
        appendRaw("not json at all".getBytes(StandardCharsets.UTF_8));
        append(deployed("3.0.0"));

        feed = new LedgerFeed(factory, new EnvironmentLedger("dev"), codec).start(WAIT);
        appendRaw("{\"specversion\":\"1.0\"}".getBytes(StandardCharsets.UTF_8));
        feed.catchUp(WAIT);

        assertThat(feed.skipped()).isEqualTo(2);
        assertThat(feed.ledger().running(SERVICE)).isPresent();
        assertThat(feed.ledger().position()).isEqualTo(2);
    }

    @Test
    void anEmptyStreamStartsAtOnce() throws Exception {
        feed = new LedgerFeed(factory, new EnvironmentLedger("dev"), codec).start(WAIT);

        assertThat(feed.ledger().applied()).isZero();
        assertThat(feed.ledger().position()).isEqualTo(-1);
    }
}
