package io.stagecoach.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.stagecoach.buildcompleted.ReleaseRegistry;
import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.local.ForgedBodies.Victim;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.AuditTrail;
import io.stagecoach.testing.pipeline.Publisher.Message;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static io.stagecoach.local.Releases.build;
import static io.stagecoach.local.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forged records: a credential's topic permission limits routing keys, not body types, and the audit stream keeps every
 * record routed in its vhost. This class publishes every record the permission table lets a credential put into a
 * stream although it is not an event its holder may publish ({@link ForgedRecordCases}), on the real broker, into
 * the whole pipeline as {@link LocalPipeline} runs it, and checks that none of them changed a decision.
 *
 * <p>Every publishing user has a victim of its own: a service whose release runs and is verified in dev and staging
 * and waits at the prod gate. Its forged bodies are about that release ({@link ForgedBodies}), so one user's attack
 * cannot hide another's. All records go out in one batch; then, per record, as its stream holds it:
 * <ul>
 * <li>no ledger changed when it was folded (a fresh ledger of each stream, followed record by record, as
 * {@code stagecoach status} folds it);</li>
 * <li>no service published anything because of it (events whose causation leads back to it).</li>
 * </ul>
 * And for the whole batch: every service's own ledger says what it said before, nothing was committed to the GitOps
 * repository, no service published anything but refusals, and an allowed approval still takes each release at the
 * gate into prod (a forged record that a ledger counted as seen would suppress the real event with its id).
 *
 * <p>A record that finds a fact already changed by an earlier forged record (a request granted, a release held)
 * cannot change it again: while one attack works, those after it on the same fact may pass. Once it is fixed they
 * meet the state they were made for.
 */
@RealBroker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForgedRecordsAttackTests {

    /** The pipeline is quiet once nothing waits in an inbox and no stream grew for longer than a sweep or two. */
    private static final Duration QUIET = Duration.ofSeconds(4);
    private static final Duration SETTLE = Duration.ofSeconds(60);
    /** What a service may answer a forged record with: it is told no, in the audit. */
    /**
     * Service events a forged record may be followed by: the approval service's refusal of a forged decision, and
     * the promotion service's periodic checkpoint, which restates its ledger (whose state the suite compares).
     */
    private static final Set<EventType> REFUSALS = Set.of(EventType.APPROVAL_REFUSED, EventType.LEDGER_CHECKPOINTED);
    private static final String VERSION = "1.0.0";
    private static final String AUTHOR = "jane";

    @TempDir
    static Path workdir;

    private static TestBroker testBroker;
    private static TestPipeline broker;
    private static LocalPipeline pipeline;
    private static GitOpsHistory git;
    private static Environments environments;
    private static List<ForgedRecordCase> cases;
    /** By publishing group ({@link ForgedRecordCase#publisher()}). */
    private static final Map<String, Victim> victims = new LinkedHashMap<>();
    private static final Map<String, Witness> witnesses = new LinkedHashMap<>();
    /** By (event id, routing key, user): how a record in a stream is told to be a case's. */
    private static final Map<String, ForgedRecordCase> casesByRecord = new HashMap<>();
    /** By event id, the first case published with it (the one a ledger that skips seen ids folded). */
    private static final Map<String, ForgedRecordCase> casesById = new HashMap<>();
    private static final Map<ForgedRecordCase, Outcome> outcomes = new LinkedHashMap<>();
    private static final List<String> unattributed = new ArrayList<>();
    private static final Map<String, List<String>> consumedQueues = new HashMap<>();
    private static final Map<String, Connection> probes = new HashMap<>();
    private static Set<String> commitsBefore;
    /** {@code <sha> <subject> (run <run id>)} of each commit made after the attack. */
    private static List<String> newCommits;
    private static Map<String, LedgerState> servicesBefore;
    private static Map<String, LedgerState> servicesAfter;
    private static String unsettled;

    @BeforeAll
    static void attackAPipelineWhoseReleasesWaitAtTheProdGate(TestBroker testBroker) throws Exception {
        long start = System.nanoTime();
        ForgedRecordsAttackTests.testBroker = testBroker;
        broker = TestPipeline.provision(testBroker);
        environments = broker.environments();
        cases = ForgedRecordCases.generate(environments);
        List<String> groups = cases.stream().map(ForgedRecordCase::publisher).distinct().toList();
        startThePipeline(testBroker, groups.stream().map(ForgedRecordsAttackTests::serviceOf).toList());
        bringEveryVictimToTheGate(groups);
        System.out.printf("[forged records] %d releases wait at the gate after %s%n", victims.size(), seconds(start));

        for (Environment environment : environments.all()) {
            witnesses.put(environment.name(), new Witness(environment.name()));
        }
        for (Witness witness : witnesses.values()) {
            witness.markAttackStart();
        }
        commitsBefore = git.commits().stream().map(RevCommit::name).collect(Collectors.toSet());
        servicesBefore = serviceStates();

        long attack = System.nanoTime();
        publishEveryCase();
        System.out.printf("[forged records] %d forged records published in %s%n", cases.size(), seconds(attack));
        settle();
        System.out.printf("[forged records] settled %s after the attack%n", seconds(attack));

        newCommits = git.commits().stream().filter(c -> !commitsBefore.contains(c.name()))
                .map(c -> c.name().substring(0, 8) + " " + c.getShortMessage() + " (run "
                        + GitOpsHistory.trailers(c).get("Stagecoach-Run-Id") + ")").toList();
        servicesAfter = serviceStates();
        attribute();
        attributeRegistrations();
        long changed = outcomes.values().stream().filter(o -> !o.changes.isEmpty() || !o.consequences.isEmpty())
                .count();
        System.out.printf("[forged records] %d of %d records changed a decision; %d unattributed service events; "
                + "%s in all%n", changed, cases.size(), unattributed.size(), seconds(start));
    }

    private static void startThePipeline(TestBroker testBroker, List<String> services) throws Exception {
        LocalPipelineSettings.Builder settings = LocalPipelineSettings.builder(workdir.resolve("pipeline"))
                .amqp(testBroker.host(), testBroker.amqpPort())
                .environmentsFile(EnvironmentsFile.write(workdir, services, "24h"))
                .vhostPrefix(testBroker.prefix())
                .webServers(false)
                .smokeDeadline(Duration.ofSeconds(3))
                .logFile(Path.of("target", "forged-records-attack.log"))
                .property("stagecoach.resilience.retry.initial-backoff", "50ms")
                .property("stagecoach.approval.sweep-interval", "1s")
                .property("spring.rabbitmq.listener.simple.retry.initial-interval", "100ms");
        services.forEach(service -> settings.image(service, Releases.IMAGES + service));
        pipeline = LocalPipeline.start(settings.build(), line -> System.out.println("[forged records] " + line));
        git = new GitOpsHistory(pipeline.gitopsRepository());
    }

    /** A build per group, through every environment before the manual gate, to its approval request there. */
    private static void bringEveryVictimToTheGate(List<String> groups) throws Exception {
        for (String group : groups) {
            broker.as(environments.first().name(), Principal.CI).withoutUserId()
                    .publish(build(release(serviceOf(group), VERSION, AUTHOR)));
        }
        String gate = environments.all().stream().filter(Environment::isManual).findFirst().orElseThrow().name();
        for (String group : groups) {
            Release waiting = release(serviceOf(group), VERSION, AUTHOR);
            @SuppressWarnings("unchecked")
            CloudEvent<ApprovalRequested> request = (CloudEvent<ApprovalRequested>) broker.audit(gate)
                    .await(ApprovalRequested.class, r -> r.release().sameBuildAs(waiting));
            victims.put(group, new Victim(serviceOf(group), waiting, Releases.unbuilt(serviceOf(group), "1.0.1"),
                    request));
        }
    }

    @AfterAll
    static void stopThePipeline() {
        witnesses.values().forEach(Witness::close);
        if (pipeline != null) {
            pipeline.close();
        }
        if (broker != null) {
            broker.close();
        }
        for (Connection probe : probes.values()) {
            try {
                probe.close();
            } catch (IOException | RuntimeException e) {
                // closing anyway: the vhost is deleted after the class
            }
        }
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> noForgedRecordChangesADecision() {
        return cases.stream().map(forged -> DynamicTest.dynamicTest(forged.name(), () -> {
            Outcome outcome = outcomes.get(forged);
            List<String> problems = new ArrayList<>();
            Set<String> expected = new LinkedHashSet<>(List.of(forged.environment(), forged.keyEnvironment()));
            if (!outcome.keptIn.containsAll(expected)) {
                problems.add("the record should be in the audit streams of " + expected + ", it is in "
                        + outcome.keptIn + ": the case proves nothing");
            }
            outcome.changes.forEach(change -> problems.add("changed " + change));
            outcome.consequences.forEach(event -> problems.add("led to " + event));
            assertThat(problems).as("%s (event %s)", forged.name(), outcome.eventId).isEmpty();
        }));
    }

    @Test
    @Order(2)
    void noServicePublishesAnythingButRefusalsBecauseOfForgedRecords() {
        assertThat(unsettled).as("the pipeline settles after the attack").isNull();
        List<String> all = new ArrayList<>(unattributed);
        outcomes.forEach((forged, outcome) -> outcome.consequences.forEach(c -> all.add(c + " <- " + forged.name())));
        assertThat(all).as("events services published after the forged records").isEmpty();
    }

    @Test
    @Order(3)
    void theGitOpsRepositoryHasNoNewCommit() {
        assertThat(newCommits).as("commits on main after the attack").isEmpty();
    }

    @Test
    @Order(4)
    void everyServiceStillDecidesFromTheStateItHadBeforeTheAttack() {
        List<String> changes = new ArrayList<>();
        servicesBefore.forEach((service, before) -> before.changesTo(servicesAfter.get(service))
                .forEach(change -> changes.add(service + ": " + explain(change))));
        assertThat(changes).as("what the services' own ledgers (and dev's release registry) say now").isEmpty();
    }

    /**
     * After the attack, the release each gated victim's forged records were about is approved as it should be: the
     * approval service grants it with the id it derives (which the forged grants took) and prod deploys it. A
     * ledger that took a forged id as seen, or a release a forged record held, would stop it here.
     */
    @TestFactory
    @Order(5)
    Stream<DynamicTest> anAllowedApprovalStillTakesEachReleaseAtTheGateIntoProd() throws Exception {
        Map<String, Victim> gated = new LinkedHashMap<>();
        victims.forEach((group, victim) -> {
            if (cases.stream().anyMatch(c -> c.publisher().equals(group) && c.bodyEnvironment().equals(victim.gate()))) {
                gated.put(group, victim);
            }
        });
        Map<String, CloudEvent<ApprovalDecided>> decisions = new LinkedHashMap<>();
        Map<String, Integer> from = new HashMap<>();
        for (Map.Entry<String, Victim> entry : gated.entrySet()) {
            Victim victim = entry.getValue();
            from.put(entry.getKey(), witnesses.get(victim.gate()).trail.records().size());
            CloudEvent<ApprovalDecided> decision = approval(victim);
            decisions.put(entry.getKey(), decision);
            broker.publish(victim.gate(), Principal.CHATOPS, decision);
        }
        try {
            Awaitility.await().atMost(SETTLE).pollInterval(Duration.ofMillis(200))
                    .alias("every approval after the attack answered and acted on")
                    .until(() -> gated.keySet().stream().allMatch(group -> answered(gated.get(group),
                            decisions.get(group), from.get(group))));
        } catch (ConditionTimeoutException e) {
            // each victim says below what it got
        }
        return gated.entrySet().stream().map(entry -> DynamicTest.dynamicTest(serviceOf(entry.getKey())
                + " (the victim of " + entry.getKey() + ")", () -> {
            Victim victim = entry.getValue();
            String gate = victim.gate();
            String approvalUser = user(gate, Principal.APPROVAL);
            String grantId = ForgedBodies.endingId(victim.requestId(), EventType.APPROVAL_GRANTED, gate);
            String promotionId = ForgedBodies.promotionId(victim.requestId(), gate);
            String deploymentId = ForgedBodies.outcomeId(promotionId, EventType.DEPLOYMENT_COMPLETED, gate);
            List<String> answer = since(gate, from.get(entry.getKey())).stream()
                    .filter(r -> victim.runId().equals(r.event().correlationid()))
                    .map(ForgedRecordsAttackTests::describe).toList();

            assertThat(answer).as("what the run of %s %s got in %s after an allowed approval of request %s",
                    victim.service(), victim.waiting().version(), gate, victim.requestId())
                    .contains("approval.granted " + grantId + " by " + approvalUser,
                            "promotion.requested " + promotionId + " by " + approvalUser,
                            "deployment.completed " + deploymentId + " by " + user(gate, Principal.PROMOTION));
            assertThat(git.commitsWithTrailer("Stagecoach-Run-Id", victim.runId()))
                    .as("a commit of %s to the %s overlay approved by %s", victim.service(), gate, ForgedBodies.APPROVER)
                    .anyMatch(c -> git.changedPaths(c).contains(GitOpsHistory.overlay(gate))
                            && ForgedBodies.APPROVER.equals(GitOpsHistory.trailers(c).get("Approved-By")));
        }));
    }

    private static void publishEveryCase() throws Exception {
        ForgedBodies forger = new ForgedBodies(environments);
        Instant now = Instant.now();
        Map<String, Map<Principal, List<Message>>> batches = new LinkedHashMap<>();
        Map<String, Map<Principal, List<Message>>> requests = new LinkedHashMap<>();
        for (ForgedRecordCase forged : cases) {
            CloudEvent<?> body = forger.body(forged, victims.get(forged.publisher()), now);
            String record = recordKey(body.id(), forged.routingKey(), user(forged.environment(), forged.principal()));
            if (casesByRecord.put(record, forged) != null) {
                throw new IllegalStateException("two cases publish the same record " + record);
            }
            casesById.putIfAbsent(body.id(), forged);
            outcomes.put(forged, new Outcome(body.id()));
            // a forged request may make the approval service supersede the real one: it goes last
            (forged.bodyType() == EventType.APPROVAL_REQUESTED ? requests : batches)
                    .computeIfAbsent(forged.environment(), e -> new LinkedHashMap<>())
                    .computeIfAbsent(forged.principal(), p -> new ArrayList<>())
                    .add(Message.of(forged.routingKey(), body));
        }
        for (Map<String, Map<Principal, List<Message>>> round : List.of(batches, requests)) {
            for (Map.Entry<String, Map<Principal, List<Message>>> environment : round.entrySet()) {
                for (Map.Entry<Principal, List<Message>> publisher : environment.getValue().entrySet()) {
                    broker.as(environment.getKey(), publisher.getKey()).publishAll(publisher.getValue());
                }
            }
        }
    }

    /**
     * Messages that wait for a consumer in {@code environment}'s inboxes and hand-off queues right now (its stream and
     * dead-letter queues aside), as the broker counts them on a passive declare, not as the management API last
     * sampled them.
     */
    private static long waitingMessages(String environment) throws Exception {
        String vhost = broker.vhost(environment);
        List<String> queues = consumedQueues.get(environment);
        if (queues == null) {
            queues = new ArrayList<>();
            for (JsonNode queue : testBroker.management().get("/api/queues/" + ManagementApi.encode(vhost)
                    + "?columns=name,type,exclusive").orElseThrow()) {
                String name = queue.path("name").asString();
                // a replica's exclusive leader queue holds nothing and is another connection's to declare
                if (!queue.path("type").asString().equals("stream") && !name.endsWith(BrokerNames.DEAD_LETTER_SUFFIX)
                        && !queue.path("exclusive").asBoolean(false)) {
                    queues.add(name);
                }
            }
            consumedQueues.put(environment, List.copyOf(queues));
        }
        // one connection per vhost, kept open: a loaded broker is slow to accept new ones
        Connection probe = probes.get(environment);
        if (probe == null || !probe.isOpen()) {
            probe = broker.adminConnectionFactory(environment).newConnection("forged-records-probe");
            probes.put(environment, probe);
        }
        long waiting = 0;
        try (Channel channel = probe.createChannel()) {
            for (String queue : queues) {
                AMQP.Queue.DeclareOk declared = channel.queueDeclarePassive(queue);
                // an inbox of a service this pipeline does not run (approval before the gate) never empties
                waiting += declared.getConsumerCount() > 0 ? declared.getMessageCount() : 0;
            }
        }
        return waiting;
    }

    /**
     * Waits until every forged record is in each stream it should reach, nothing waits in an inbox or hand-off
     * queue, and no stream grew for {@link #QUIET}: whatever the records set off has happened.
     */
    private static void settle() {
        AtomicLong records = new AtomicLong(-1);
        AtomicLong quietSince = new AtomicLong(System.nanoTime());
        try {
            Awaitility.await().atMost(SETTLE).pollInterval(Duration.ofMillis(250))
                    .alias("the pipeline quiet after the forged records")
                    .until(() -> {
                        long total = witnesses.values().stream().mapToLong(w -> w.trail.records().size()).sum();
                        boolean idle = total == records.getAndSet(total) && allKept();
                        for (String environment : witnesses.keySet()) {
                            idle = idle && waitingMessages(environment) == 0;
                        }
                        if (!idle) {
                            quietSince.set(System.nanoTime());
                        }
                        return System.nanoTime() - quietSince.get() >= QUIET.toNanos();
                    });
        } catch (ConditionTimeoutException e) {
            unsettled = e.getMessage();
        }
    }

    private static boolean allKept() {
        Map<String, Set<String>> kept = new HashMap<>();
        witnesses.forEach((environment, witness) -> kept.put(environment, witness.recordKeys()));
        return cases.stream().allMatch(forged -> {
            String key = recordKeyOf(forged);
            return kept.get(forged.environment()).contains(key) && kept.get(forged.keyEnvironment()).contains(key);
        });
    }

    /** Sorts what the streams hold since the attack into the cases' outcomes and events nothing explains. */
    private static void attribute() {
        Map<String, AuditRecord> byId = new HashMap<>();
        witnesses.values().forEach(w -> w.sinceAttack().forEach(o -> byId.putIfAbsent(o.record().event().id(),
                o.record())));
        for (Witness witness : witnesses.values()) {
            for (Observed observed : witness.sinceAttack()) {
                AuditRecord record = observed.record();
                ForgedRecordCase forged = casesByRecord.get(recordKey(record.event().id(), record.routingKey(),
                        record.publisher()));
                if (forged != null) {
                    Outcome outcome = outcomes.get(forged);
                    outcome.keptIn.add(witness.environment);
                    observed.changes().forEach(change -> outcome.changes.add(witness.environment + " " + change));
                    continue;
                }
                if (REFUSALS.contains(record.event().eventType())) {
                    continue;
                }
                String event = witness.environment + " " + record.event().eventType().eventName() + " "
                        + record.event().id() + " by " + record.publisher()
                        + (observed.changes().isEmpty() ? "" : " changing " + observed.changes());
                ForgedRecordCase cause = causeOf(record, byId);
                if (cause == null) {
                    unattributed.add(event + " (caused by " + record.event().causationid() + ")");
                } else {
                    outcomes.get(cause).consequences.add(event);
                }
            }
        }
    }

    /**
     * dev's release registry names no event: a release registered since the attack goes to the first record of its
     * victim's group that could register it (a {@code promotion.requested} body for the first environment).
     */
    private static void attributeRegistrations() {
        String first = environments.first().name();
        LedgerState before = servicesBefore.get(first + " build-completed");
        LedgerState after = servicesAfter.get(first + " build-completed");
        victims.forEach((group, victim) -> {
            for (Release release : List.of(victim.waiting(), victim.intruder())) {
                String fact = registered(release);
                String was = before.facts().get(fact);
                String is = after.facts().get(fact);
                if (!Objects.equals(was, is)) {
                    String change = first + " build-completed's registry " + fact + ": " + was + " -> " + is;
                    cases.stream().filter(c -> c.publisher().equals(group)
                                    && c.bodyType() == EventType.PROMOTION_REQUESTED && c.bodyEnvironment().equals(first))
                            .findFirst().ifPresentOrElse(c -> outcomes.get(c).changes.add(change),
                                    () -> unattributed.add(change));
                }
            }
        });
    }

    /** The case whose record the event's causation chain leads back to, if any. */
    private static ForgedRecordCase causeOf(AuditRecord record, Map<String, AuditRecord> byId) {
        Set<String> visited = new HashSet<>();
        String cause = record.event().causationid();
        while (cause != null && visited.add(cause)) {
            ForgedRecordCase forged = casesById.get(cause);
            if (forged != null) {
                return forged;
            }
            AuditRecord next = byId.get(cause);
            cause = next == null ? null : next.event().causationid();
        }
        return null;
    }

    /**
     * A change line with the case whose record it rests on, when a forged event id is in it; a registration (which
     * names no event) with the group whose victim it is.
     */
    private static String explain(String change) {
        for (Map.Entry<String, ForgedRecordCase> entry : casesById.entrySet()) {
            if (change.contains(entry.getKey())) {
                return change + " <- " + entry.getValue().name();
            }
        }
        for (Map.Entry<String, Victim> victim : victims.entrySet()) {
            if (change.startsWith(victim.getValue().service() + " ") && change.contains(" registered: ")) {
                return change + " <- a promotion.requested body published by " + victim.getKey();
            }
        }
        return change;
    }

    /** Each service's ledger, caught up, in the facts of {@link LedgerState}; dev's release registry too. */
    private static Map<String, LedgerState> serviceStates() throws Exception {
        Map<String, LedgerState> states = new TreeMap<>();
        for (LocalPipeline.Service service : pipeline.services()) {
            LedgerFeed feed = pipeline.context(service.environment(), service.service()).getBean(LedgerFeed.class);
            feed.catchUp(TestPipeline.WAIT);
            Map<String, String> facts = new TreeMap<>(state(feed.ledger()).facts());
            if (service.service().equals("build-completed")) {
                ReleaseRegistry registry = pipeline.context(service.environment(), service.service())
                        .getBean(ReleaseRegistry.class);
                for (Victim victim : victims.values()) {
                    for (Release release : List.of(victim.waiting(), victim.intruder())) {
                        facts.put(registered(release), registry.registered(release.service(), release.version())
                                        .map(r -> r.digest()).orElse("no"));
                    }
                }
            }
            states.put(service.environment() + " " + service.service(), new LedgerState(facts));
        }
        return states;
    }

    private static String registered(Release release) {
        return release.service() + " " + release.version() + " registered";
    }

    private static LedgerState state(io.stagecoach.ledger.EnvironmentLedger ledger) {
        List<String> services = victims.values().stream().map(Victim::service).toList();
        List<Release> releases = victims.values().stream()
                .flatMap(v -> Stream.of(v.waiting(), v.intruder())).toList();
        List<String> requests = victims.values().stream().map(Victim::requestId).toList();
        return LedgerState.of(ledger, services, releases, requests);
    }

    private static boolean answered(Victim victim, CloudEvent<ApprovalDecided> decision, int from) {
        List<AuditRecord> after = since(victim.gate(), from);
        boolean refused = after.stream().anyMatch(r -> r.event().data() instanceof ApprovalRefused
                && decision.id().equals(r.event().causationid()));
        boolean acted = after.stream().anyMatch(r -> (r.event().data() instanceof DeploymentCompleted d
                && d.release().sameBuildAs(victim.waiting()))
                || (r.event().data() instanceof DeploymentFailed f && f.release().sameBuildAs(victim.waiting()))
                || (r.event().data() instanceof PromotionBlocked b && b.release().sameBuildAs(victim.waiting())));
        return refused || acted;
    }

    private static List<AuditRecord> since(String environment, int from) {
        List<AuditRecord> records = witnesses.get(environment).trail.records();
        return records.subList(Math.min(from, records.size()), records.size());
    }

    /** {@code approval.refused <id> by <user> (ALREADY_DECIDED)}: what a failure shows of a record. */
    private static String describe(AuditRecord record) {
        Object data = record.event().data();
        String why = data instanceof ApprovalRefused refused ? " (" + refused.reason() + ")"
                : data instanceof PromotionBlocked blocked ? " (" + blocked.reason() + ")" : "";
        return record.event().eventType().eventName() + " " + record.event().id() + " by " + record.publisher() + why;
    }

    private static CloudEvent<ApprovalDecided> approval(Victim victim) {
        Release release = victim.waiting();
        var data = new ApprovalDecided(victim.requestId(), release.service(), release.version(), release.digest(),
                victim.gate(), ApprovalDecided.Decision.APPROVE, ForgedBodies.APPROVER, "approved after the attack",
                false);
        return CloudEvent.of(data, "/chatops", victim.gate(), victim.runId(), victim.request().id(),
                EventIds.derive("decision after the attack", victim.requestId()));
    }

    /** The victim service of a publishing group: {@code prod-chatops} attacks {@code v-prod-chatops}. */
    private static String serviceOf(String group) {
        return "v-" + group;
    }

    private static String user(String environment, Principal principal) {
        return broker.user(environment, principal);
    }

    private static String recordKeyOf(ForgedRecordCase forged) {
        return recordKey(outcomes.get(forged).eventId, forged.routingKey(),
                user(forged.environment(), forged.principal()));
    }

    private static String recordKey(String eventId, String routingKey, String user) {
        return eventId + " " + routingKey + " " + user;
    }

    private static String seconds(long since) {
        return LocalPipeline.seconds(Duration.ofNanos(System.nanoTime() - since));
    }

    /** What became of one case's record. */
    private static final class Outcome {
        final String eventId;
        final Set<String> keptIn = ConcurrentHashMap.newKeySet();
        final List<String> changes = new CopyOnWriteArrayList<>();
        final List<String> consequences = new CopyOnWriteArrayList<>();

        Outcome(String eventId) {
            this.eventId = eventId;
        }
    }

    /** A record and what folding it changed in a fresh ledger of its stream. */
    private record Observed(AuditRecord record, List<String> changes) {
    }

    /**
     * One environment's stream, folded into a fresh ledger record by record, with the facts about the victims that
     * each record changed.
     */
    private static final class Witness implements AutoCloseable {

        final String environment;
        final AuditTrail trail;
        private final List<Observed> observed = new CopyOnWriteArrayList<>();
        private final AtomicInteger attackStart = new AtomicInteger();

        Witness(String environment) throws Exception {
            this.environment = environment;
            AtomicReference<LedgerState> last = new AtomicReference<>();
            this.trail = broker.follow(environment, (record, ledger) -> {
                LedgerState now = state(ledger);
                LedgerState before = last.getAndSet(now);
                observed.add(new Observed(record, before == null ? List.of() : before.changesTo(now)));
            });
        }

        void markAttackStart() throws Exception {
            trail.caughtUp();
            attackStart.set(observed.size());
        }

        List<Observed> sinceAttack() {
            List<Observed> all = List.copyOf(observed);
            return all.subList(Math.min(attackStart.get(), all.size()), all.size());
        }

        Set<String> recordKeys() {
            Set<String> keys = new HashSet<>();
            for (AuditRecord record : trail.records()) {
                keys.add(recordKey(record.event().id(), record.routingKey(), record.publisher()));
            }
            return keys;
        }

        @Override
        public void close() {
            trail.close();
        }
    }
}
