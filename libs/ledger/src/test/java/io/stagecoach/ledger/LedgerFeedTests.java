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
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.Trigger;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

@RealBroker
class LedgerFeedTests {

    static final String SERVICE = DevAuditStream.SERVICE;
    static final Duration WAIT = DevAuditStream.WAIT;

    final EventCodec codec = new EventCodec();
    static final String PASSWORD = DevAuditStream.PASSWORD;

    TestBroker broker;
    DevAuditStream stream;
    String vhost;
    Provenance provenance;
    ConnectionFactory factory;
    LedgerFeed feed;

    @BeforeEach
    void createStream(TestBroker broker) throws Exception {
        this.broker = broker;
        stream = new DevAuditStream(broker);
        vhost = stream.vhost;
        provenance = stream.provenance;
        factory = stream.factory;
    }

    EnvironmentLedger ledger() {
        return stream.ledger();
    }

    @AfterEach
    void stop() {
        if (feed != null) {
            feed.close();
        }
    }

    static Release release(String version) {
        return DevAuditStream.release(version);
    }

    void append(CloudEvent<?> event) throws Exception {
        stream.append(event);
    }

    void append(CloudEvent<?> event, String routingKey, Principal as) throws Exception {
        stream.append(event, routingKey, as);
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
        return DevAuditStream.deployed(version);
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

        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);

        EnvironmentLedger ledger = feed.ledger();
        assertThat(ledger.applied()).isEqualTo(3);
        assertThat(ledger.isVerified(release("1.0.0"))).isTrue();
        assertThat(ledger.running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("1.1.0");
    }

    @Test
    void catchUpWaitsForWhatWasAppendedSinceStart() throws Exception {
        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);
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
        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);
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

        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);
        appendRaw("{\"specversion\":\"1.0\"}".getBytes(StandardCharsets.UTF_8));
        feed.catchUp(WAIT);

        assertThat(feed.skipped()).isEqualTo(2);
        assertThat(feed.ledger().running(SERVICE)).isPresent();
        assertThat(feed.ledger().position()).isEqualTo(2);
    }

    @Test
    void recordsThatDoNotCountAreReportedAndChangeNothing() throws Exception {
        List<String> refused = new CopyOnWriteArrayList<>();
        feed = new LedgerFeed(factory, ledger(), codec)
                .onRefused((record, refusal) -> refused.add(record.event().type() + " " + refusal.reason()));
        List<AuditRecord> counted = new CopyOnWriteArrayList<>();
        feed.onRecord(counted::add);
        // promotion may publish deployment.completed.dev; a verification under that key is not one
        append(verified("4.0.0"), "deployment.completed.dev", Principal.PROMOTION);
        // the right key from the wrong producer
        append(verified("4.0.1"), "smoketest.passed.dev", Principal.PROMOTION);
        append(deployed("4.0.2"), "deployment.completed.dev", Principal.SMOKE_TEST);
        feed.start(WAIT);

        assertThat(refused).containsExactly("io.stagecoach.smoketest.passed.v1 wrong-routing-key",
                "io.stagecoach.smoketest.passed.v1 unexpected-publisher",
                "io.stagecoach.deployment.completed.v1 unexpected-publisher");
        assertThat(counted).isEmpty();
        EnvironmentLedger ledger = feed.ledger();
        assertThat(ledger.isVerified(release("4.0.0"))).isFalse();
        assertThat(ledger.isVerified(release("4.0.1"))).isFalse();
        assertThat(ledger.running(SERVICE)).isEmpty();
        assertThat(ledger.seen(verified("4.0.0").id())).isFalse();
        assertThat(ledger.refused()).isEqualTo(3);
        assertThat(ledger.position()).isEqualTo(2);

        // the real verification, with the id the forged one had taken, still counts
        append(verified("4.0.0"));
        feed.catchUp(WAIT);
        assertThat(ledger.isVerified(release("4.0.0"))).isTrue();
    }

    /**
     * A stream that keeps records for one second, in segments of one record, so that retention really drops them:
     * once the hold's own records are gone, a fresh ledger knows of the hold only through the checkpoint.
     */
    @Test
    void aHoldOutlivesTheRecordsThatPlacedItThroughACheckpoint() throws Exception {
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(BrokerNames.AUDIT_STREAM);
            channel.queueDeclare(BrokerNames.AUDIT_STREAM, true, false, false, Map.of("x-queue-type", "stream",
                    "x-max-age", "1s", "x-stream-max-segment-size-bytes", 500));
            channel.queueBind(BrokerNames.AUDIT_STREAM, BrokerNames.EVENTS_EXCHANGE, "#");
        }
        append(deployed("5.0.0"));
        append(verified("5.0.0"));
        append(deployed("5.1.0"));
        append(CloudEvent.of(new RollbackCompleted("dev", SERVICE, release("5.1.0"), release("5.0.0"),
                new Trigger(Trigger.Type.SMOKETEST_FAILED, EventIds.derive("failed")), "rev-back"),
                "/stagecoach/dev/rollback", "dev", EventIds.derive("run", "5.1.0"), EventIds.derive("failed"),
                EventIds.derive("rolled back", "5.1.0")));
        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);
        assertThat(feed.ledger().isHeld(release("5.1.0"))).isTrue();
        long rollbackOffset = feed.ledger().position();

        // other services' records keep the stream rolling until retention dropped everything about this one
        AtomicInteger filler = new AtomicInteger();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            append(CloudEvent.of(new DeploymentCompleted(new Release("filler", "1.0." + filler.get(),
                            "ghcr.io/example/filler", "sha256:" + "b".repeat(64), "0123456789abcdef0123456789abcdef01234567",
                            "carol"), "dev", "gitops", "f", null, false), "/stagecoach/dev/promotion", "dev",
                    EventIds.derive("filler"), EventIds.derive("filler"), EventIds.derive("filler", "" + filler.incrementAndGet())));
            return firstOffset() > rollbackOffset;
        });
        try (LedgerFeed forgetful = new LedgerFeed(factory, ledger(), codec).start(WAIT)) {
            assertThat(forgetful.ledger().isHeld(release("5.1.0"))).as("without a checkpoint the hold is gone")
                    .isFalse();
        }

        append(CloudEvent.of(feed.ledger().checkpoint(SERVICE), "/stagecoach/dev/promotion", "dev",
                EventIds.derive("ledger"), EventIds.derive("cause"), EventIds.derive("checkpoint", "5.1.0")),
                "ledger.checkpointed.dev", Principal.PROMOTION);
        try (LedgerFeed restarted = new LedgerFeed(factory, ledger(), codec).start(WAIT)) {
            EnvironmentLedger ledger = restarted.ledger();
            assertThat(ledger.isHeld(release("5.1.0"))).isTrue();
            assertThat(ledger.running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("5.0.0");
            assertThat(ledger.lastVerified(SERVICE, null)).get().extracting(v -> v.release().version())
                    .isEqualTo("5.0.0");
        }
    }

    /** The offset of the stream's first record now. */
    long firstOffset() throws Exception {
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.basicQos(1);
            java.util.concurrent.BlockingQueue<Long> first = new java.util.concurrent.LinkedBlockingQueue<>();
            channel.basicConsume(BrokerNames.AUDIT_STREAM, false, Map.of("x-stream-offset", "first"),
                    new com.rabbitmq.client.DefaultConsumer(channel) {
                        @Override
                        public void handleDelivery(String tag, com.rabbitmq.client.Envelope envelope,
                                AMQP.BasicProperties properties, byte[] body) {
                            first.add(((Number) properties.getHeaders().get("x-stream-offset")).longValue());
                        }
                    });
            Long offset = first.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            return offset == null ? -1 : offset;
        }
    }

    @Test
    void anEmptyStreamStartsAtOnce() throws Exception {
        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);

        assertThat(feed.ledger().applied()).isZero();
        assertThat(feed.ledger().position()).isEqualTo(-1);
    }
    @Test
    void awaitEventReturnsOnceTheLedgerAppliedThatEventAndEverythingBeforeIt() throws Exception {
        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);
        CloudEvent<?> pass = verified("6.0.0");
        java.util.concurrent.CompletableFuture<Void> waiting = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                feed.awaitEvent(pass, WAIT);
            } catch (TimeoutException e) {
                throw new IllegalStateException(e);
            }
        });

        append(deployed("6.0.0"));
        append(pass);

        waiting.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(feed.ledger().running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("6.0.0");
        assertThat(feed.ledger().isVerified(release("6.0.0"))).isTrue();
        // an event read before is reached at once
        assertTimeoutPreemptively(Duration.ofMillis(500), () -> feed.awaitEvent(deployed("6.0.0"), WAIT));
    }

    @Test
    void awaitEventOpensNoConnection() throws Exception {
        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);
        long atStart = feed.connectionsOpened();
        for (int i = 0; i < 5; i++) {
            CloudEvent<?> deployment = deployed("7.0." + i);
            append(deployment);
            feed.awaitEvent(deployment, WAIT);
        }

        assertThat(feed.connectionsOpened()).isEqualTo(atStart);
    }

    @Test
    void awaitEventTimesOutNamingTheEvent() throws Exception {
        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);
        CloudEvent<?> never = deployed("8.0.0");

        assertThatThrownBy(() -> feed.awaitEvent(never, Duration.ofMillis(200)))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining(never.id())
                .hasMessageContaining("did not read");
    }

    @Test
    void aFeedWhoseConnectionWasClosedReadsOnFromTheRecordAfterItsPositionOnANewOne() throws Exception {
        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);
        List<String> read = new CopyOnWriteArrayList<>();
        feed.onRecord(record -> read.add(record.event().id()));
        append(deployed("9.0.0"));
        feed.awaitEvent(deployed("9.0.0"), WAIT);
        long opened = feed.connectionsOpened();

        Awaitility.await().atMost(WAIT).until(() -> stream.closeConnections("stagecoach-ledger-dev") == 1);
        append(deployed("9.1.0"));
        append(deployed("9.2.0"));
        feed.awaitEvent(deployed("9.2.0"), WAIT);

        assertThat(read).as("each record once, in order: the new consumer starts after the last one read")
                .containsExactly(deployed("9.0.0").id(), deployed("9.1.0").id(), deployed("9.2.0").id());
        assertThat(feed.ledger().applied()).isEqualTo(3);
        assertThat(feed.resubscriptions()).isEqualTo(1);
        assertThat(feed.connectionsOpened()).isEqualTo(opened + 1);
    }

    @Test
    void aWaitThatEndsWithNothingReadSubscribesAgainAndTheFeedStillReadsEachRecordOnce() throws Exception {
        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);
        List<String> read = new CopyOnWriteArrayList<>();
        feed.onRecord(record -> read.add(record.event().id()));
        append(deployed("9.5.0"));
        feed.awaitEvent(deployed("9.5.0"), WAIT);

        assertThatThrownBy(() -> feed.awaitEvent(deployed("9.6.0"), Duration.ofMillis(300)))
                .isInstanceOf(TimeoutException.class);
        Awaitility.await().atMost(WAIT).until(() -> feed.resubscriptions() == 1);
        append(deployed("9.6.0"));
        feed.awaitEvent(deployed("9.6.0"), WAIT);

        assertThat(read).containsExactly(deployed("9.5.0").id(), deployed("9.6.0").id());
        assertThat(feed.connectionsOpened()).as("the same connection, a new channel").isEqualTo(2);
    }

    @Test
    void aRecordThatDoesNotCountUnderItsOwnKeyIsReachedAndAForgedIdUnderAnotherKeyIsNot() throws Exception {
        feed = new LedgerFeed(factory, ledger(), codec).start(WAIT);
        // its own key, a publisher that is not its producer: it does not count, but it is this event's record
        CloudEvent<?> refused = verified("9.0.0");
        append(refused, "smoketest.passed.dev", Principal.PROMOTION);
        feed.awaitEvent(refused, WAIT);
        assertThat(feed.ledger().seen(refused.id())).isFalse();

        // a copy of a real event's id under a key its type does not use: the wait goes on until the real one
        CloudEvent<?> real = verified("9.0.1");
        append(real, "deployment.completed.dev", Principal.PROMOTION);
        assertThatThrownBy(() -> feed.awaitEvent(real, Duration.ofMillis(300))).isInstanceOf(TimeoutException.class);
        java.util.concurrent.CompletableFuture<Void> waiting = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                feed.awaitEvent(real, WAIT);
            } catch (TimeoutException e) {
                throw new IllegalStateException(e);
            }
        });
        append(real);
        waiting.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(feed.ledger().isVerified(release("9.0.1"))).isTrue();
    }

    CloudEvent<?> rolledBack(String from, String to) {
        return CloudEvent.of(new RollbackCompleted("dev", SERVICE, release(from), release(to),
                new Trigger(Trigger.Type.SMOKETEST_FAILED, EventIds.derive("failed", from)), "rev-back-" + to),
                "/stagecoach/dev/rollback", "dev", EventIds.derive("run", from), EventIds.derive("failed", from),
                EventIds.derive("rolled back", from));
    }

    @Test
    void aRestartFromASnapshotReadsOnlyWhatCameAfterItAndDecidesAsAFullReplay(@TempDir Path directory)
            throws Exception {
        LedgerSnapshotFile file = new LedgerSnapshotFile(directory.resolve("dev.ledger"), seal());
        append(deployed("10.0.0"));
        append(verified("10.0.0"));
        append(deployed("10.1.0"));
        append(rolledBack("10.1.0", "10.0.0"));
        appendRaw("not an event".getBytes(StandardCharsets.UTF_8));
        // its own key from a publisher that is not its producer: refused, but the event's own publish
        append(verified("10.2.0"), "smoketest.passed.dev", Principal.PROMOTION);
        append(deployed("10.2.0"));
        long snapshotAt;
        try (LedgerFeed first = new LedgerFeed(factory, ledger(), codec).snapshotTo(file, Duration.ofHours(1))
                .start(WAIT)) {
            snapshotAt = first.ledger().position();
        }
        assertThat(file.read()).get().extracting(LedgerSnapshot::position).isEqualTo(snapshotAt);

        // a redelivery of a deployment from before the snapshot must be known as seen, or 10.1.0 would run again
        append(deployed("10.1.0"));
        append(verified("10.2.0"));
        append(deployed("10.3.0"), "deployment.completed.dev", Principal.SMOKE_TEST);
        List<Long> read = new CopyOnWriteArrayList<>();
        feed = new LedgerFeed(factory, ledger(), codec).snapshotTo(file, Duration.ofHours(1));
        feed.onRecord(record -> read.add(record.offset())).onRefused((record, refusal) -> read.add(record.offset()));
        feed.start(WAIT);

        assertThat(feed.restoredFrom()).isEqualTo(snapshotAt);
        assertThat(read).containsExactly(snapshotAt + 1, snapshotAt + 2, snapshotAt + 3);
        try (LedgerFeed everything = new LedgerFeed(factory, ledger(), codec).start(WAIT)) {
            assertThat(feed.ledger().snapshot()).isEqualTo(everything.ledger().snapshot());
            assertThat(feed.skipped()).isEqualTo(everything.skipped()).isEqualTo(1);
        }
        EnvironmentLedger ledger = feed.ledger();
        assertThat(ledger.running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("10.2.0");
        assertThat(ledger.isHeld(release("10.1.0"))).isTrue();
        assertThat(ledger.refused()).isEqualTo(2);
        // the refused record from before the snapshot was its event's own publish: a wait for it ends at once
        assertTimeoutPreemptively(Duration.ofMillis(500), () -> feed.awaitEvent(verified("10.2.0"), WAIT));
    }

    /** The seal of dev's promotion service, from its password. */
    SnapshotSeal seal() {
        return SnapshotSeal.derive(PASSWORD, vhost, Principal.PROMOTION.userIn(vhost));
    }

    @Test
    void aSnapshotForgedByWhoeverCanWriteItsFileIsRefusedAndTheWholeStreamReplayed(@TempDir Path directory)
            throws Exception {
        Path path = directory.resolve("dev.ledger");
        append(deployed("13.0.0"));
        append(verified("13.0.0"));
        append(deployed("13.1.0"));
        new LedgerFeed(factory, ledger(), codec).snapshotTo(new LedgerSnapshotFile(path, seal()), Duration.ofHours(1))
                .start(WAIT).close();
        LedgerSnapshot taken = new LedgerSnapshotFile(path, seal()).read().orElseThrow();
        // what the file's writer would have the service believe: 66.6.0 runs
        EnvironmentLedger.Deployed running = taken.running().get(SERVICE);
        LedgerSnapshot forged = new LedgerSnapshot(taken.format(), taken.environment(), taken.position(),
                taken.recordDigest(), taken.applied(), taken.refused(), taken.skipped(), taken.seen(),
                Map.of(SERVICE, new EnvironmentLedger.Deployed(release("66.6.0"), running.revision(),
                        running.eventId(), running.at(), false)),
                taken.verified(), taken.held(), taken.heldReleases(), taken.servicesOfRequests(),
                taken.lastFailure(), taken.pending(), taken.decided(), taken.votes(), taken.changedAt(),
                taken.checkpointed(), taken.opened(), taken.openings(), taken.withdrawals(), taken.stopped(), taken.lifts(),
                taken.parked(), taken.lineStop(), taken.passes(), taken.alerts(),
                taken.refusedIds());
        byte[] sealed = java.nio.file.Files.readAllBytes(path);
        int header = LedgerSnapshotFile.MAGIC.length + SnapshotSeal.LENGTH;

        // sealed with the key of each other user of the vhost (the same password), and the real seal kept
        List<SnapshotSeal> attempts = new java.util.ArrayList<>();
        for (Principal principal : Principal.values()) {
            if (principal != Principal.PROMOTION) {
                attempts.add(SnapshotSeal.derive(PASSWORD, vhost, principal.userIn(vhost)));
            }
        }
        attempts.add(null);
        for (SnapshotSeal attempt : attempts) {
            if (attempt != null) {
                new LedgerSnapshotFile(path, attempt).write(forged);
            } else {
                new LedgerSnapshotFile(path, SnapshotSeal.random("mallory")).write(forged);
                byte[] bytes = java.nio.file.Files.readAllBytes(path);
                System.arraycopy(sealed, LedgerSnapshotFile.MAGIC.length, bytes, LedgerSnapshotFile.MAGIC.length,
                        SnapshotSeal.LENGTH);
                java.nio.file.Files.write(path, bytes);
            }
            assertThat(java.nio.file.Files.size(path)).isGreaterThan(header);
            try (LedgerFeed restarted = new LedgerFeed(factory, ledger(), codec)
                    .snapshotTo(new LedgerSnapshotFile(path, seal()), Duration.ofHours(1)).start(WAIT)) {
                assertThat(restarted.restoredFrom()).as("sealed by %s", attempt).isEqualTo(-1);
                assertThat(restarted.snapshotsRefused()).isEqualTo(1);
                assertThat(restarted.ledger().running(SERVICE)).get().extracting(d -> d.release().version())
                        .isEqualTo("13.1.0");
                assertThat(restarted.ledger().applied()).isEqualTo(3);
            }
            // the restarted feed wrote its own snapshot when it closed: put the forgery back for the next attempt
        }
        // and the service's own snapshot, written by the last restart, is taken
        feed = new LedgerFeed(factory, ledger(), codec).snapshotTo(new LedgerSnapshotFile(path, seal()),
                Duration.ofHours(1)).start(WAIT);
        assertThat(feed.restoredFrom()).isEqualTo(taken.position());
        assertThat(feed.snapshotsRefused()).isZero();
        assertThat(feed.ledger().running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("13.1.0");
    }

    @Test
    void aSnapshotOfAnotherStreamIsIgnoredAndTheWholeStreamReplayed(@TempDir Path directory) throws Exception {
        LedgerSnapshotFile file = new LedgerSnapshotFile(directory.resolve("dev.ledger"), seal());
        append(deployed("11.0.0"));
        append(deployed("11.1.0"));
        new LedgerFeed(factory, ledger(), codec).snapshotTo(file, Duration.ofHours(1)).start(WAIT).close();
        // the stream is recreated: offset 1 now holds another record
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(BrokerNames.AUDIT_STREAM);
            channel.queueDeclare(BrokerNames.AUDIT_STREAM, true, false, false, Map.of("x-queue-type", "stream"));
            channel.queueBind(BrokerNames.AUDIT_STREAM, BrokerNames.EVENTS_EXCHANGE, "#");
        }
        append(deployed("12.0.0"));
        append(verified("12.0.0"));

        feed = new LedgerFeed(factory, ledger(), codec).snapshotTo(file, Duration.ofHours(1)).start(WAIT);

        assertThat(feed.restoredFrom()).isEqualTo(-1);
        assertThat(feed.ledger().running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("12.0.0");
        assertThat(feed.ledger().seen(deployed("11.1.0").id())).isFalse();
        assertThat(feed.ledger().applied()).isEqualTo(2);
    }
}
