package io.stagecoach.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.Principal;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.ledger.LedgerSnapshotFile;
import io.stagecoach.ledger.SnapshotSeal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.BrokerUnreachableException;
import io.stagecoach.platform.topology.ManagementApiException;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** {@code stagecoach bench replay}: how long a service's start-up replay of its audit stream takes. */
@Command(name = "replay", sortOptions = false,
        description = {"Measure a service's start-up: the replay of its environment's audit stream.", "",
                "Creates a throw-away vhost ([$STAGECOACH_VHOST_PREFIX-]bench-replay-<random>-dev) with the audit stream and",
                "the producers' users, fills the stream with --records records as the producers write them (builds",
                "of --services services: build, promotion request, deployment, smoke test, hand-off, one in ten a",
                "failure and its rollback, a checkpoint of a service every few runs of it), each under its type's",
                "routing key and with its producer's user_id, pipelined with publisher confirms, printing progress",
                "every 5 s. Then starts a ledger feed on it as a service does at start and prints the records it",
                "replayed, the seconds, records/s and the heap used.",
                "",
                "Then measures a restart from a snapshot, as a service with a snapshot file starts: the feed that",
                "replayed writes its ledger's snapshot, --tail more records are appended (what arrived since the",
                "last snapshot), and a fresh feed starts from the snapshot, reading only those. Prints the same",
                "figures, and whether its ledger is the one the first feed has after reading the tail live. Deletes",
                "the vhost and its users at the end.",
                ""},
        footer = {"", "Examples:",
                "  stagecoach bench replay --records 100000",
                "  STAGECOACH_JAVA_OPTIONS=-XX:+UseSerialGC stagecoach bench replay --records 1000000",
                "",
                "The launcher runs the command with the C1 compiler only (quick to start); a service runs with both",
                "compilers, so measure a replay with STAGECOACH_JAVA_OPTIONS set as in the second example.",
                "Exit status 0 when the replay read and applied every record, 1 when it did not.",
                ExitCodes.SECTION})
final class BenchReplayCommand implements Callable<Integer> {

    static final String PREFIX = "bench-replay-";
    static final int BATCH = 2_000;
    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(60);
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /** Who writes the first environment's audit (see {@link ReplayHistory}). */
    static final List<Principal> PRODUCERS = List.of(Principal.CI, Principal.BUILD_COMPLETED, Principal.PROMOTION,
            Principal.SMOKE_TEST, Principal.ROLLBACK);

    @Mixin
    HelpOption help;

    @ParentCommand
    BenchCommand bench;

    @Option(names = "--records", paramLabel = "N", defaultValue = "100000",
            description = "records to fill the audit stream with (default ${DEFAULT-VALUE})")
    int records;

    @Option(names = "--services", paramLabel = "N", defaultValue = "36",
            description = "promoted services the records are about (default ${DEFAULT-VALUE})")
    int services;

    @Option(names = "--tail", paramLabel = "N", defaultValue = "10000",
            description = "records appended after the snapshot, read by the restart (default ${DEFAULT-VALUE})")
    int tail;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "how long the replay may take (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Mixin
    BenchBrokerOptions brokerOptions;

    private PrintWriter out;
    private StepClock clock;

    @Override
    public Integer call() throws Exception {
        CliContext context = bench.root.context;
        out = context.out();
        clock = new StepClock(out);
        CliException.requireAtLeast("--records", records, 1);
        CliException.requireAtLeast("--tail", tail, 0);
        CliException.requireAtLeast("--services", services, 1);
        Broker broker = brokerOptions.broker(context);
        ManagementClient client = brokerOptions.client(context);
        String given = context.variable(EnvironmentOptions.PREFIX_VARIABLE);
        String prefix = (given == null ? "" : given + "-") + PREFIX
                + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        Environments environments = Environments.loadDefault().withVhostPrefix(prefix);
        Environment first = environments.first();
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        clock.step("Creating vhost " + first.vhost() + " with the audit stream and the users of "
                + String.join(", ", PRODUCERS.stream().map(Principal::id).toList()));
        try {
            create(client, first, password);
            try (Connection admin = admin(context, broker, first).newConnection("stagecoach-bench-replay")) {
                declare(admin);
            }
            ReplayHistory history = new ReplayHistory(environments, services, 20261203L);
            clock.step("Filling the audit stream with " + records + " records about " + services + " services, in batches "
                    + "of " + BATCH + " with confirms");
            fill(broker, environments, password, history, records);
            return replay(context, broker, environments, password, history);
        } catch (BrokerUnreachableException | ManagementApiException e) {
            throw CliException.broker("The replay bench in vhost " + first.vhost() + " failed: " + e.getMessage(), e);
        } finally {
            clock.step("Deleting vhost " + first.vhost() + " and its users");
            remove(client, first);
        }
    }

    private void create(ManagementClient client, Environment environment, String password) {
        client.put(ManagementClient.path("api", "vhosts", environment.vhost()), Map.of());
        client.put(ManagementClient.path("api", "permissions", environment.vhost(), client.user()),
                Map.of("configure", ".*", "write", ".*", "read", ".*"));
        for (Principal principal : PRODUCERS) {
            String user = principal.userIn(environment.vhost());
            client.put(ManagementClient.path("api", "users", user), Map.of("password", password, "tags", ""));
            client.put(ManagementClient.path("api", "permissions", environment.vhost(), user),
                    Map.of("configure", "", "write", "^" + BrokerNames.EVENTS_EXCHANGE + "$", "read", ""));
        }
    }

    private static void remove(ManagementClient client, Environment environment) {
        try {
            client.delete(ManagementClient.path("api", "vhosts", environment.vhost()));
            for (Principal principal : PRODUCERS) {
                client.delete(ManagementClient.path("api", "users", principal.userIn(environment.vhost())));
            }
        } catch (BrokerUnreachableException | ManagementApiException e) {
            // said, not thrown: the measurement (or its failure) is what the caller wants to see
            System.err.println("Could not delete vhost " + environment.vhost() + " or its users: " + e.getMessage());
        }
    }

    private ConnectionFactory admin(CliContext context, Broker broker, Environment environment) {
        return brokerOptions.asAdministrator(context, broker, environment.vhost());
    }

    /** The audit stream bound to everything published in the vhost, as provisioning declares it. */
    private static void declare(Connection connection) throws IOException, TimeoutException {
        try (Channel channel = connection.createChannel()) {
            channel.exchangeDeclare(BrokerNames.EVENTS_EXCHANGE, "topic", true);
            channel.queueDeclare(BrokerNames.AUDIT_STREAM, true, false, false, Map.of("x-queue-type", "stream"));
            channel.queueBind(BrokerNames.AUDIT_STREAM, BrokerNames.EVENTS_EXCHANGE, "#");
        }
    }

    /**
     * Publishes the history, each record as its producer on a connection of its own, in batches of {@link #BATCH}
     * each confirmed before the next; mandatory, so a record no queue took is a failure, not a gap.
     */
    private void fill(Broker broker, Environments environments, String password, ReplayHistory history, int records)
            throws Exception {
        Environment first = environments.first();
        EventCodec codec = new EventCodec();
        Map<Principal, Connection> connections = new EnumMap<>(Principal.class);
        Map<Principal, Channel> channels = new EnumMap<>(Principal.class);
        AtomicLong returned = new AtomicLong();
        try {
            for (Principal principal : PRODUCERS) {
                String user = principal.userIn(first.vhost());
                Connection connection = broker.factory(first.vhost(), user, password)
                        .newConnection("stagecoach-bench-replay-" + principal.id());
                connections.put(principal, connection);
                Channel channel = connection.createChannel();
                channel.confirmSelect();
                channel.addReturnListener(r -> returned.incrementAndGet());
                channels.put(principal, channel);
            }
            long fillStarted = System.nanoTime();
            long nextProgress = fillStarted + PROGRESS_EVERY.toNanos();
            for (int sent = 0; sent < records; ) {
                int batch = Math.min(BATCH, records - sent);
                for (int i = 0; i < batch; i++) {
                    ReplayHistory.Entry entry = history.next();
                    String user = entry.publisher().userIn(first.vhost());
                    channels.get(entry.publisher()).basicPublish(BrokerNames.EVENTS_EXCHANGE,
                            entry.event().routingKey(), true, new AMQP.BasicProperties.Builder()
                                    .contentType(BrokerNames.CONTENT_TYPE).deliveryMode(2).userId(user)
                                    .messageId(entry.event().id()).build(), codec.encode(entry.event()));
                }
                for (Channel channel : channels.values()) {
                    channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT.toMillis());
                }
                sent += batch;
                if (returned.get() > 0) {
                    throw CliException.pipeline(returned.get() + " records were returned unrouted: the audit stream "
                            + "of " + first.vhost() + " is not bound to " + BrokerNames.EVENTS_EXCHANGE);
                }
                if (System.nanoTime() >= nextProgress || sent == records) {
                    double seconds = (System.nanoTime() - fillStarted) / 1e9;
                    out.println(String.format(Locale.ROOT, "[%s] published %d/%d (%.0f records/s)", clock.elapsed(),
                            sent, records, sent / seconds));
                    out.flush();
                    nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
                }
            }
        } finally {
            for (Connection connection : connections.values()) {
                connection.abort();
            }
        }
    }

    /**
     * Starts a fresh feed on the filled stream, as a service does at start, and prints what it took; then the same
     * for a restart from that feed's snapshot with {@link #tail} records after it.
     */
    private int replay(CliContext context, Broker broker, Environments environments, String password,
                       ReplayHistory history) throws Exception {
        Environment first = environments.first();
        clock.step("Replaying the audit stream of " + first.vhost() + " into a fresh ledger, as a service starts");
        Path directory = Files.createTempDirectory("stagecoach-bench-replay");
        LedgerSnapshotFile file = new LedgerSnapshotFile(directory.resolve(first.name() + ".ledger"),
                SnapshotSeal.random("the benchmark's feeds"));
        try (LedgerFeed feed = new LedgerFeed(admin(context, broker, first), ledger(environments), new EventCodec())
                .snapshotTo(file, Duration.ofDays(1))) {
            Figures full = start(feed);
            print("Replay of " + records + " records (" + services + " services) in " + first.vhost(), full,
                    "(applied " + feed.ledger().applied() + ", refused " + feed.ledger().refused() + ", not events "
                            + feed.skipped() + "; last offset " + feed.ledger().position() + ")");
            boolean complete = full.read() == records && feed.ledger().refused() == 0 && feed.skipped() == 0;
            if (!complete) {
                out.println("The replay did not apply every record it published: see the counts above");
                return ExitCodes.PIPELINE;
            }

            long writing = System.nanoTime();
            feed.writeSnapshot();
            double written = (System.nanoTime() - writing) / 1e9;
            long snapshotAt = feed.ledger().position();
            clock.step(String.format(Locale.ROOT, "Snapshot of the ledger at offset %d written in %.2f s (%d KB); appending "
                    + "%d records after it", snapshotAt, written, Files.size(file.path()) >> 10, tail));
            fill(broker, environments, password, history, tail);
            feed.catchUp(timeout);

            clock.step("Restarting from the snapshot: a fresh ledger, as a service with its snapshot file starts");
            try (LedgerFeed restarted = new LedgerFeed(admin(context, broker, first), ledger(environments),
                    new EventCodec()).snapshotTo(file, Duration.ofDays(1))) {
                Figures restart = start(restarted);
                boolean same = restarted.ledger().snapshot().equals(feed.ledger().snapshot());
                print("Restart from the snapshot at offset " + restarted.restoredFrom() + " with " + tail
                        + " records after it", restart, "read after the snapshot (up to offset "
                        + restarted.ledger().position() + ")");
                out.println("  same ledger as the feed that read every record: " + (same ? "yes" : "NO"));
                out.flush();
                return same && restarted.restoredFrom() == snapshotAt ? ExitCodes.OK : ExitCodes.PIPELINE;
            }
        } finally {
            Files.deleteIfExists(file.path());
            Files.deleteIfExists(directory);
        }
    }

    private static EnvironmentLedger ledger(Environments environments) {
        return new EnvironmentLedger(environments.first().name(), Provenance.of(environments));
    }

    /**
     * What one start took: the events it read from the stream (those that count and those that do not; records
     * that are not events are counted by the feed),
     * the seconds, the heap at its end and what the ledger kept after a GC.
     */
    record Figures(long read, double seconds, long usedAtEnd, long retained) {
    }

    private Figures start(LedgerFeed feed) throws Exception {
        Runtime runtime = Runtime.getRuntime();
        LongAdder read = new LongAdder();
        feed.onRecord(record -> read.increment()).onRefused((record, refusal) -> read.increment());
        long before = usedHeapAfterGc(runtime);
        long started = System.nanoTime();
        feed.start(timeout);
        double seconds = (System.nanoTime() - started) / 1e9;
        long usedAtEnd = runtime.totalMemory() - runtime.freeMemory();
        return new Figures(read.sum(), seconds, usedAtEnd, usedHeapAfterGc(runtime) - before);
    }

    private void print(String title, Figures figures, String counts) {
        Runtime runtime = Runtime.getRuntime();
        out.println();
        out.println(title + ":");
        out.println(String.format(Locale.ROOT, "  records     %d %s", figures.read(), counts));
        out.println(String.format(Locale.ROOT, "  seconds     %.2f", figures.seconds()));
        out.println(String.format(Locale.ROOT, "  records/s   %.0f", figures.read() / figures.seconds()));
        out.println(String.format(Locale.ROOT, "  heap used   %d MB at the end of the start, %d MB kept by the ledger "
                + "after a GC (max heap %d MB)", figures.usedAtEnd() >> 20, figures.retained() >> 20,
                runtime.maxMemory() >> 20));
        out.flush();
    }

    private static long usedHeapAfterGc(Runtime runtime) {
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
