package io.stagecoach.cli;

import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.BrokerDefinitions;
import io.stagecoach.platform.topology.Definitions;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Provisioning cut off part of the way, by a connection to the management API that drops after a given number of
 * changes (the last one reaching the broker with its answer lost), then run again: whatever state the cut left, the
 * second run finishes the plan. Each case provisions its own three vhosts and removes them afterwards, so that no
 * more than one pipeline's quorum queues sit on the shared broker at a time.
 */
@RealBroker
class InterruptedProvisioningTests {

    static TestBroker broker;
    static Path workingDirectory;
    /** Changes (PUT, POST, DELETE) a whole provisioning of fresh vhosts makes. */
    static int wholeRun;

    @BeforeAll
    static void countTheChangesOfAWholeProvisioning(TestBroker given, @TempDir Path directory) throws Exception {
        broker = given;
        workingDirectory = directory;
        String prefix = broker.name("whole");
        try (CutManagementApi counting = CutManagementApi.counting(broker.managementUrl())) {
            Cli.Result whole = cli(prefix).with(ManagementOptions.URL_VARIABLE, counting.url())
                    .run("provision", "--local-only-passwords");
            assertThat(whole.status()).as(whole.toString()).isZero();
            wholeRun = counting.changes();
        } finally {
            remove(prefix);
        }
        assertThat(wholeRun).as("changes of one provisioning").isGreaterThan(100);
    }

    /**
     * @param percent   how far provisioning gets: the share of a whole run's changes the broker answered
     * @param last      what becomes of the change after those
     * @param passwords {@code local-only} ({@code --local-only-passwords}, as {@code up}) or {@code secrets-dir}
     *                  (generated passwords kept in {@code $STAGECOACH_SECRETS_DIR} before the broker has them)
     */
    @ParameterizedTest(name = "cut after {0}% of the changes, the next one {1}, passwords {2}")
    @CsvSource({
            "1, NOT_SENT, secrets-dir",
            "1, ANSWER_LOST, secrets-dir",
            "25, ANSWER_LOST, local-only",
            "50, NOT_SENT, secrets-dir",
            "90, ANSWER_LOST, local-only",
            "99, NOT_SENT, secrets-dir",
            "99, ANSWER_LOST, local-only"})
    void provisioningAgainAfterACutFinishesThePlan(int percent, CutManagementApi.Cut last, String passwords)
            throws Exception {
        String prefix = broker.name("cut" + percent + (last == CutManagementApi.Cut.NOT_SENT ? "n" : "a")
                + passwords.charAt(0));
        int cutAfter = wholeRun * percent / 100;
        Path secrets = workingDirectory.resolve(prefix + "-secrets");
        Cli cli = passwords.equals("secrets-dir") ? cli(prefix).with("STAGECOACH_SECRETS_DIR", secrets.toString())
                : cli(prefix);
        String[] provision = passwords.equals("secrets-dir") ? new String[] {"provision"}
                : new String[] {"provision", "--local-only-passwords"};
        try {
            try (CutManagementApi cut = new CutManagementApi(broker.managementUrl(), cutAfter, last)) {
                Cli.Result interrupted = cli.with(ManagementOptions.URL_VARIABLE, cut.url()).run(provision);
                assertThat(interrupted.status()).as(interrupted.toString()).isEqualTo(ExitCodes.BROKER);
            }
            Definitions plan = BrokerDefinitions.plan(Environments.loadDefault().withVhostPrefix(prefix));
            Cli.Result halfway = cli.run("provision", "--check");
            assertThat(halfway.status()).as("the cut left the broker short of the plan: " + halfway)
                    .isEqualTo(ExitCodes.PIPELINE);
            System.out.println("cut after " + cutAfter + " of " + wholeRun + " changes, the next " + last + ": "
                    + present(plan) + " of the plan's queues, users and shovels were there");

            Cli.Result again = cli.run(provision);
            assertThat(again.status()).as(again.toString()).isZero();
            Cli.Result check = cli.run("provision", "--check");
            assertThat(check.status()).as(check.toString()).isZero();
            assertThat(check.out()).contains("The broker matches the plan.");
            assertInboxesAsPlanned(plan);
            assertHandoffShovelsRun(plan);
            if (passwords.equals("secrets-dir")) {
                for (Definitions.User user : plan.users()) {
                    assertThat(secrets.resolve(user.name())).as("the password of " + user.name() + " is kept")
                            .isRegularFile();
                }
            }
        } finally {
            remove(prefix);
        }
    }

    /** Every inbox of the plan is on the broker with the plan's type and single active consumer. */
    private static void assertInboxesAsPlanned(Definitions plan) {
        List<Definitions.Queue> inboxes = plan.queues().stream().filter(q -> BrokerDefinitions.isInbox(q.name()))
                .toList();
        assertThat(inboxes).as("the plan has inboxes in every vhost")
                .extracting(Definitions.Queue::vhost).containsAll(vhosts(plan));
        for (Definitions.Queue planned : inboxes) {
            assertThat(planned.arguments()).containsEntry("x-queue-type", "quorum")
                    .containsEntry("x-single-active-consumer", true);
            JsonNode queue = broker.management().get("/api/queues/" + ManagementApi.encode(planned.vhost()) + "/"
                    + ManagementApi.encode(planned.name())).orElseThrow(() -> new AssertionError(
                    "missing after provisioning again: " + planned.vhost() + "/" + planned.name()));
            assertThat(queue.path("type").asString()).as(planned.name()).isEqualTo("quorum");
            assertThat(queue.path("arguments").path("x-single-active-consumer").asBoolean())
                    .as(planned.name() + " has a single active consumer").isTrue();
        }
    }

    /** Every hand-off shovel of the plan runs. */
    private static void assertHandoffShovelsRun(Definitions plan) {
        List<Definitions.Parameter> shovels = plan.parameters().stream()
                .filter(p -> p.component().equals(BrokerDefinitions.SHOVEL_COMPONENT)).toList();
        assertThat(shovels).as("hand-offs into staging and prod").hasSize(2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Definitions.Parameter shovel : shovels) {
                JsonNode running = broker.management().get("/api/shovels/" + ManagementApi.encode(shovel.vhost()))
                        .orElseThrow();
                assertThat(StreamSupport.stream(running.spliterator(), false)
                        .filter(s -> s.path("name").asString().equals(shovel.name()))
                        .map(s -> s.path("state").asString())).as(shovel.name()).containsExactly("running");
            }
        });
    }

    /** How many of the plan's queues, users and shovels the broker has, e.g. {@code 41/58}. */
    private static String present(Definitions plan) {
        Set<String> queues = names("/api/queues", q -> q.path("vhost").asString() + "/" + q.path("name").asString());
        Set<String> users = names("/api/users", u -> u.path("name").asString());
        Set<String> shovels = names("/api/parameters/shovel", p -> p.path("vhost").asString() + "/"
                + p.path("name").asString());
        List<Definitions.Parameter> plannedShovels = plan.parameters().stream()
                .filter(p -> p.component().equals(BrokerDefinitions.SHOVEL_COMPONENT)).toList();
        long there = plan.queues().stream().filter(q -> queues.contains(q.vhost() + "/" + q.name())).count()
                + plan.users().stream().filter(u -> users.contains(u.name())).count()
                + plannedShovels.stream().filter(p -> shovels.contains(p.vhost() + "/" + p.name())).count();
        return there + "/" + (plan.queues().size() + plan.users().size() + plannedShovels.size());
    }

    private static Set<String> names(String path, java.util.function.Function<JsonNode, String> name) {
        JsonNode all = broker.management().get(path).orElseThrow();
        return StreamSupport.stream(all.spliterator(), false).map(name).collect(Collectors.toSet());
    }

    private static Set<String> vhosts(Definitions plan) {
        return plan.vhosts().stream().map(Definitions.Vhost::name).collect(Collectors.toSet());
    }

    private static Cli cli(String prefix) {
        return Cli.against(broker, workingDirectory).with("STAGECOACH_VHOST_PREFIX", prefix);
    }

    /** Deletes the vhosts and users named {@code <prefix>-...}. */
    private static void remove(String prefix) {
        for (String path : List.of("/api/vhosts", "/api/users")) {
            for (String name : names(path, n -> n.path("name").asString())) {
                if (name.startsWith(prefix + "-")) {
                    broker.management().delete(path + "/" + ManagementApi.encode(name));
                }
            }
        }
    }
}
