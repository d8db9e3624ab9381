package io.stagecoach.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventType;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.topology.PublishingRights;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.Publisher;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import static io.stagecoach.local.Releases.build;
import static io.stagecoach.local.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fuzz: mutated events into every inbox of every environment of the running pipeline, each published by a producer
 * the permission table admits for its routing key (so it reaches the inboxes and is judged there, not stopped by the
 * broker). Every one must be handled or dead-lettered with a reason: each body the event codec refuses is in the
 * dead-letter queue of every inbox its routing key reaches, marked {@code invalid}; no dead letter lacks a reason;
 * every inbox drains and keeps its consumer; and a good build still travels afterwards. The count is
 * {@code -Dstagecoach.fuzz.events} (default 10,000) and the seed {@code -Dstagecoach.fuzz.seed}, printed so a failure
 * can be repeated.
 */
@RealBroker
class FuzzedEventsEndToEndTests {

    private static final int EVENTS = Integer.getInteger("stagecoach.fuzz.events", 10_000);
    private static final long SEED = Long.getLong("stagecoach.fuzz.seed", 20_261_204L);
    private static final String SERVICE = "svc-after-fuzz";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final EventCodec CODEC = new EventCodec();
    private static final Duration DRAIN = Duration.ofMinutes(6);

    @TempDir
    static Path workdir;

    private static TestPipeline broker;
    private static LocalPipeline pipeline;

    /** A routing key some producer may publish somewhere, and the inboxes it reaches. */
    record Target(EventType type, String addressee, String publishedIn, String user, List<String> inboxes) {
        String routingKey() {
            return type.routingKey(addressee);
        }
    }

    /** One mutated event as it was published. */
    record Fuzzed(String messageId, Target target, byte[] body, boolean withUserId, String mutation) {
    }

    @BeforeAll
    static void startThePipeline(TestBroker testBroker) throws Exception {
        broker = TestPipeline.provision(testBroker);
        LocalPipelineSettings.Builder settings = EndToEndPipelines.settings(testBroker, workdir, List.of(SERVICE),
                "30s", "fuzzed-events-tests.log")
                .property("stagecoach.resilience.retry.initial-backoff", "20ms")
                .property("stagecoach.promotion.catch-up-timeout", "2s")
                .property("stagecoach.rollback.catch-up-timeout", "2s")
                .property("stagecoach.approval.catch-up-timeout", "2s")
                .property("spring.rabbitmq.listener.simple.retry.initial-interval", "20ms");
        pipeline = LocalPipeline.start(settings.build(), line -> System.out.println("[local pipeline] " + line));
    }

    @AfterAll
    static void stopThePipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyMutatedEventIsHandledOrDeadLetteredWithAReasonAndEveryInboxDrainsAndKeepsItsConsumer()
            throws Exception {
        List<Target> targets = targets();
        Set<String> inboxesReached = new java.util.TreeSet<>();
        targets.forEach(t -> t.inboxes().forEach(inbox -> inboxesReached.add(t.addressee() + "/" + inbox)));
        Random random = new Random(SEED);
        System.out.println("[fuzz] " + EVENTS + " mutated events, seed " + SEED + ", into " + inboxesReached.size()
                + " inboxes through " + targets.size() + " routing keys");

        List<Fuzzed> fuzzed = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            Target target = targets.get(i % targets.size());
            StringBuilder mutation = new StringBuilder();
            byte[] body = mutate(example(target), random, mutation);
            boolean withUserId = random.nextInt(10) != 0;
            fuzzed.add(new Fuzzed("fuzz-" + SEED + "-" + i, target, body, withUserId,
                    (withUserId ? "" : "no user_id; ") + mutation));
        }
        long started = System.nanoTime();
        publish(fuzzed);
        double publishedIn = (System.nanoTime() - started) / 1e9;

        // every inbox drains: nothing stuck, whatever it was given
        // (the management API's counts lag by a few seconds: empty twice, six seconds apart)
        long[] emptySince = {0};
        await().atMost(DRAIN).pollInterval(Duration.ofSeconds(3)).until(() -> {
            if (!allInboxesEmpty(targets)) {
                emptySince[0] = 0;
                return false;
            }
            if (emptySince[0] == 0) {
                emptySince[0] = System.nanoTime();
            }
            return System.nanoTime() - emptySince[0] >= Duration.ofSeconds(6).toNanos();
        });
        double drainedIn = (System.nanoTime() - started) / 1e9;

        Map<String, List<GetResponse>> deadLetters = new HashMap<>();
        Map<String, Integer> byClass = new TreeMap<>();
        List<String> withoutReason = new ArrayList<>();
        for (Target target : targets) {
            for (String inbox : target.inboxes()) {
                String key = target.addressee() + "/" + inbox;
                if (deadLetters.containsKey(key)) {
                    continue;
                }
                List<GetResponse> letters = broker.drain(target.addressee(), BrokerNames.deadLetterQueue(inbox));
                deadLetters.put(key, letters);
                for (GetResponse letter : letters) {
                    Object reason = letter.getProps().getHeaders() == null ? null
                            : letter.getProps().getHeaders().get(BrokerNames.REASON_HEADER);
                    Object reasonClass = letter.getProps().getHeaders() == null ? null
                            : letter.getProps().getHeaders().get(BrokerNames.REASON_CLASS_HEADER);
                    if (reason == null || reason.toString().isBlank() || reasonClass == null) {
                        withoutReason.add(key + " " + letter.getProps().getMessageId());
                    } else {
                        byClass.merge(reasonClass.toString(), 1, Integer::sum);
                    }
                }
            }
        }
        assertThat(withoutReason).as("dead letters without a reason").isEmpty();

        int invalid = 0;
        List<String> missing = new ArrayList<>();
        for (Fuzzed event : fuzzed) {
            if (isValid(event.body())) {
                continue;
            }
            invalid++;
            for (String inbox : event.target().inboxes()) {
                boolean found = deadLetters.get(event.target().addressee() + "/" + inbox).stream()
                        .anyMatch(l -> event.messageId().equals(l.getProps().getMessageId())
                                && "invalid".equals(String.valueOf(l.getProps().getHeaders()
                                .get(BrokerNames.REASON_CLASS_HEADER))));
                if (!found) {
                    missing.add(event.messageId() + " (" + event.mutation() + ") not dead-lettered as invalid from "
                            + event.target().addressee() + "/" + inbox);
                }
            }
        }
        System.out.printf("[fuzz] published %d in %.1f s; every inbox empty after %.1f s; %d invalid bodies, %d "
                + "valid; dead letters by reason: %s%n", EVENTS, publishedIn, drainedIn, invalid, EVENTS - invalid,
                byClass);
        assertThat(missing).as("invalid events not dead-lettered as invalid from every inbox they reached")
                .isEmpty();
        assertThat(invalid).as("most mutations make the body invalid, some keep it valid")
                .isBetween(EVENTS / 3, EVENTS - EVENTS / 5);

        List<String> withoutConsumer = new ArrayList<>();
        for (String key : inboxesReached) {
            String[] parts = key.split("/", 2);
            long consumers = broker.consumersOf(parts[0], parts[1]);
            if (consumers < 1) {
                withoutConsumer.add(key);
            }
        }
        assertThat(withoutConsumer).as("inboxes left without a consumer").isEmpty();

        // and the pipeline still works
        Release good = release(SERVICE, "1.0.0", "jane");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(good));
        broker.audit("staging").await(SmokeTestPassed.class, s -> s.release().sameBuildAs(good));
    }

    /** Every routing key a producer may publish to an environment, with who publishes it where and its inboxes. */
    private static List<Target> targets() {
        PublishingRights rights = PublishingRights.of(broker.environments());
        List<Target> targets = new ArrayList<>();
        for (Environment addressee : broker.environments().all()) {
            for (EventType type : EventType.values()) {
                List<String> inboxes = new ArrayList<>();
                for (Principal service : rights.principalsIn(addressee.name())) {
                    if (rights.inboxes(service, addressee.name()).contains(type)) {
                        inboxes.add(BrokerNames.inboxQueue(service.id(), type));
                    }
                }
                if (inboxes.isEmpty()) {
                    continue;
                }
                String user = rights.expectedPublishers(type, addressee.name()).stream().sorted().findFirst()
                        .orElse(null);
                if (user == null) {
                    continue;
                }
                Environment home = broker.environments().all().stream()
                        .filter(e -> user.startsWith(e.vhost() + "-")).findFirst().orElseThrow();
                targets.add(new Target(type, addressee.name(), home.name(), user, List.copyOf(inboxes)));
            }
        }
        return targets;
    }

    private static void publish(List<Fuzzed> fuzzed) throws Exception {
        Map<String, List<Publisher.Message>> withUserId = new LinkedHashMap<>();
        Map<String, List<Publisher.Message>> without = new LinkedHashMap<>();
        for (Fuzzed event : fuzzed) {
            String key = event.target().publishedIn() + " " + event.target().user();
            (event.withUserId() ? withUserId : without).computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new Publisher.Message(event.target().routingKey(), event.messageId(), event.body()));
        }
        for (boolean set : List.of(true, false)) {
            for (Map.Entry<String, List<Publisher.Message>> batch : (set ? withUserId : without).entrySet()) {
                String[] where = batch.getKey().split(" ", 2);
                Publisher publisher = broker.as(where[0], where[1]);
                (set ? publisher : publisher.withoutUserId()).publishAll(batch.getValue());
            }
        }
    }

    private static boolean allInboxesEmpty(List<Target> targets) {
        for (Target target : targets) {
            for (String inbox : target.inboxes()) {
                if (broker.messagesIn(target.addressee(), inbox) > 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isValid(byte[] body) {
        try {
            CODEC.decode(body);
            return true;
        } catch (InvalidEventException e) {
            return false;
        }
    }

    /** The type's shipped example, addressed to the target's environment, with an id of its own. */
    private static ObjectNode example(Target target) throws IOException {
        try (InputStream in = EventType.class.getResourceAsStream(target.type().exampleResource())) {
            ObjectNode example = (ObjectNode) JSON.readTree(in);
            String text = JSON.writeValueAsString(example).replace("\"prod\"", "\"" + target.addressee() + "\"");
            ObjectNode node = (ObjectNode) JSON.readTree(text);
            node.put("id", java.util.UUID.randomUUID().toString());
            return node;
        }
    }

    /**
     * Two in five: changes that keep the event valid (another version, service, environment, id, time or cause),
     * which the handlers themselves must survive. Otherwise one to three structural mutations of the JSON tree,
     * then sometimes of its bytes.
     */
    static byte[] mutate(ObjectNode event, Random random, StringBuilder said) {
        if (random.nextInt(5) < 2) {
            return semantic(event, random, said);
        }
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            List<Field> fields = new ArrayList<>();
            collect(event, fields);
            Field pick = fields.get(random.nextInt(fields.size()));
            ObjectNode parent = pick.parent();
            String name = pick.name();
            switch (random.nextInt(9)) {
                case 0 -> {
                    parent.remove(name);
                    said.append("removed ").append(name).append("; ");
                }
                case 1 -> {
                    parent.putNull(name);
                    said.append(name).append("=null; ");
                }
                case 2 -> {
                    parent.put(name, random.nextInt(3) - 1);
                    said.append(name).append("=number; ");
                }
                case 3 -> {
                    parent.put(name, random.nextBoolean());
                    said.append(name).append("=boolean; ");
                }
                case 4 -> {
                    parent.put(name, randomText(random, 1 + random.nextInt(random.nextInt(10) == 0 ? 2000 : 20)));
                    said.append(name).append("=text; ");
                }
                case 5 -> {
                    ArrayNode array = parent.putArray(name);
                    array.add("x");
                    said.append(name).append("=array; ");
                }
                case 6 -> {
                    parent.putObject(name).put("nested", randomText(random, 5));
                    said.append(name).append("=object; ");
                }
                case 7 -> {
                    parent.put("unexpected" + random.nextInt(100), randomText(random, 8));
                    said.append("added a field; ");
                }
                default -> {
                    EventType other = EventType.values()[random.nextInt(EventType.values().length)];
                    event.put("type", random.nextInt(4) == 0 ? "io.stagecoach.nothing.v1" : other.type());
                    said.append("type=").append(event.path("type").asString()).append("; ");
                }
            }
        }
        byte[] body = JSON.writeValueAsBytes(event);
        switch (random.nextInt(12)) {
            case 0 -> {
                said.append("truncated");
                return java.util.Arrays.copyOf(body, random.nextInt(body.length));
            }
            case 1 -> {
                int at = random.nextInt(body.length);
                body[at] = (byte) (body[at] ^ (1 << random.nextInt(8)));
                said.append("flipped a bit");
                return body;
            }
            case 2 -> {
                byte[] noise = new byte[1 + random.nextInt(200)];
                random.nextBytes(noise);
                said.append("noise");
                return noise;
            }
            default -> {
                return body;
            }
        }
    }

    /** Ids already used, so that some events repeat one (a duplicate, or a different event under a used id). */
    private static final List<String> USED_IDS = new ArrayList<>();

    private static byte[] semantic(ObjectNode event, Random random, StringBuilder said) {
        JsonNode release = event.path("data").path("release");
        switch (random.nextInt(6)) {
            case 0 -> {
                if (release instanceof ObjectNode r) {
                    r.put("version", random.nextInt(20) + "." + random.nextInt(20) + "." + random.nextInt(20)
                            + (random.nextBoolean() ? "" : "-rc." + random.nextInt(5)));
                }
                said.append("another version");
            }
            case 1 -> {
                if (release instanceof ObjectNode r) {
                    String service = random.nextBoolean() ? SERVICE : "svc-unknown-" + random.nextInt(5);
                    r.put("service", service);
                    event.put("subject", service);
                }
                said.append("another service");
            }
            case 2 -> {
                String[] environments = {"dev", "staging", "prod"};
                event.put("environment", environments[random.nextInt(3)]);
                said.append("another environment");
            }
            case 3 -> {
                synchronized (USED_IDS) {
                    if (!USED_IDS.isEmpty() && random.nextBoolean()) {
                        event.put("id", USED_IDS.get(random.nextInt(USED_IDS.size())));
                        said.append("a used id");
                    } else {
                        said.append("as it is");
                    }
                }
            }
            case 4 -> {
                event.put("time", random.nextBoolean() ? "1970-01-01T00:00:00Z" : "2099-12-31T23:59:59.999Z");
                said.append("another time");
            }
            default -> {
                event.put("causationid", java.util.UUID.randomUUID().toString());
                event.put("correlationid", java.util.UUID.randomUUID().toString());
                said.append("another cause and run");
            }
        }
        synchronized (USED_IDS) {
            USED_IDS.add(event.path("id").asString());
        }
        return JSON.writeValueAsBytes(event);
    }

    /** A field of an object in the tree. */
    private record Field(ObjectNode parent, String name) {
    }

    /** Every field in the tree. */
    private static void collect(JsonNode node, List<Field> fields) {
        if (node instanceof ObjectNode object) {
            for (String name : List.copyOf(object.propertyNames())) {
                fields.add(new Field(object, name));
                collect(object.get(name), fields);
            }
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, fields));
        }
    }

    private static String randomText(Random random, int length) {
        String alphabet = "abcXYZ019 .-_/:\"\\{}é€\u0000";
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return new String(text.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
