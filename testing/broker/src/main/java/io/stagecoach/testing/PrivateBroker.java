package io.stagecoach.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ nodes of a test's own, on ports of their own beside the shared broker: one node, or a cluster of three,
 * for faults no test may cause on the shared broker (a node stopped, a memory alarm). Needs the {@code rabbitmq-server}
 * package and root (the server drops to the {@code rabbitmq} user, whose Erlang cookie every node and
 * {@code rabbitmqctl} share); without them it fails, it never skips.
 *
 * <p>Node {@code i} (from 0) is {@code stagecoach-<i>@<host>} with AMQP on {@code 5681+i}, management on
 * {@code 15681+i}, streams on {@code 5691+i}, Prometheus on {@code 15781+i} and Erlang distribution on
 * {@code 25681+i}; its files are under {@code /tmp/stagecoach-private-broker/<i>}. Closing (or the JVM ending)
 * stops the nodes and deletes their files; starting first stops what an aborted run left behind.
 */
public final class PrivateBroker implements AutoCloseable {

    /** For {@code @ResourceLock}: the nodes have fixed ports, so one test class at a time uses them. */
    public static final String LOCK = "stagecoach-private-broker";

    static final int AMQP_PORT = 5681;
    static final int MANAGEMENT_PORT = 15681;
    static final int STREAM_PORT = 5691;
    static final int PROMETHEUS_PORT = 15781;
    static final int DISTRIBUTION_PORT = 25681;
    static final Path BASE = Path.of("/tmp/stagecoach-private-broker");

    private static final Logger log = LoggerFactory.getLogger(PrivateBroker.class);
    private static final String HOST = "127.0.0.1";

    private final int size;
    private final String host;
    /** The nodes' open-file limit; 0 for the machine's hard limit. */
    private final int openFiles;
    private final Thread shutdownHook;
    private TestBroker broker;
    private boolean closed;

    private PrivateBroker(int size, String host, int openFiles) {
        this.size = size;
        this.host = host;
        this.openFiles = openFiles;
        this.shutdownHook = new Thread(this::stopAll, "private-broker-stop");
    }

    /** One node. */
    public static PrivateBroker single() {
        return start(1, 0);
    }

    /**
     * One node started with an open-file limit of {@code openFiles}, as a broker of a machine left at a common default
     * (1,024) would be: what fits in its file handle cache, and what refuses before it is full.
     */
    public static PrivateBroker withOpenFileLimit(int openFiles) {
        if (openFiles < 256) {
            throw new IllegalArgumentException("an open-file limit below 256 does not let RabbitMQ start: " + openFiles);
        }
        return start(1, openFiles);
    }

    /** Three nodes in one cluster: the second and third joined the first. */
    public static PrivateBroker cluster() {
        return start(3, 0);
    }

    private static PrivateBroker start(int size, int openFiles) {
        requireServer();
        PrivateBroker nodes = new PrivateBroker(size, shortHostName(), openFiles);
        Runtime.getRuntime().addShutdownHook(nodes.shutdownHook);
        try {
            nodes.stopAll();
            for (int i = 0; i < size; i++) {
                nodes.launch(i);
            }
            for (int i = 0; i < size; i++) {
                nodes.awaitStartup(i);
            }
            for (int i = 1; i < size; i++) {
                nodes.ctl(i, 60, "stop_app");
                nodes.ctl(i, 60, "join_cluster", nodes.node(0));
                nodes.ctl(i, 60, "start_app");
            }
            List<String> addresses = IntStream.range(0, size).mapToObj(nodes::amqpAddress).toList();
            // the management API of the last node: a cluster test stops the first, to which every client connects
            BrokerEndpoint endpoint = new BrokerEndpoint(BrokerEndpoint.PRIVATE, HOST, AMQP_PORT,
                    "http://" + HOST + ":" + (MANAGEMENT_PORT + size - 1), "guest", "guest", addresses);
            nodes.broker = TestBroker.create(endpoint);
            nodes.awaitManagement(size - 1);
            log.info("Started the {} ({} node(s))", endpoint, size);
            return nodes;
        } catch (RuntimeException | Error e) {
            nodes.close();
            throw e;
        }
    }

    /** The nodes as a {@link TestBroker}: every node's address, the management API of the last node. */
    public TestBroker broker() {
        return broker;
    }

    public int size() {
        return size;
    }

    /** The Erlang name of node {@code index}, e.g. {@code stagecoach-0@vm}. */
    public String node(int index) {
        return "stagecoach-" + index + "@" + host;
    }

    /** {@code 127.0.0.1:<port>} of node {@code index}. */
    public String amqpAddress(int index) {
        return HOST + ":" + (AMQP_PORT + index);
    }

    /** Stops the RabbitMQ application of node {@code index}; the Erlang node stays, as a cluster member. */
    public void stopApp(int index) {
        ctl(index, 120, "stop_app");
    }

    /** Starts the RabbitMQ application of node {@code index} again and waits until it runs. */
    public void startApp(int index) {
        ctl(index, 120, "start_app");
        awaitStartup(index);
    }

    /** Stops node {@code index} entirely (the Erlang node too); {@link #restart(int)} brings it back. */
    public void stop(int index) {
        ctl(index, 120, "stop");
        awaitGone(index);
    }

    /** Starts a stopped node {@code index} with its data; a cluster member rejoins its cluster. */
    public void restart(int index) {
        launch(index);
        awaitStartup(index);
    }

    /**
     * Raises a memory alarm on node {@code index} (a watermark far below what it uses): the node blocks every
     * publishing connection of the cluster until {@link #clearMemoryAlarm(int)}.
     */
    public void raiseMemoryAlarm(int index) {
        ctl(index, 30, "set_vm_memory_high_watermark", "absolute", "1");
    }

    /** Back to the default watermark (40 % of the memory); the alarm clears within a second. */
    public void clearMemoryAlarm(int index) {
        ctl(index, 30, "set_vm_memory_high_watermark", "0.4");
    }

    /** Stops every node and deletes their files. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        stopAll();
    }

    private void stopAll() {
        IllegalStateException stuck = null;
        for (int i = 0; i < size; i++) {
            run(List.of("rabbitmqctl", "-q", "-n", node(i), "stop"), Map.of(), 60, false);
            try {
                awaitGone(i);
            } catch (IllegalStateException e) {
                // a node at its open-file limit may take minutes to stop its quorum queues: its process is ended, so
                // that its data can go and the next node of that name starts empty
                if (!killed(i)) {
                    stuck = e;
                }
            }
        }
        for (int i = 0; i < size; i++) {
            delete(directory(i));
        }
        if (stuck != null) {
            throw stuck;
        }
    }

    /** Ends node {@code index}'s process (its pid file) and says whether it is gone within 10 s. */
    private boolean killed(int index) {
        Path pidFile = directory(index).resolve("pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return false;
            }
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            if (process.isEmpty()) {
                return true;
            }
            log.warn("private node {} still answered 30 s after it was stopped: ending its process {}", node(index),
                    pid);
            process.get().destroyForcibly();
            process.get().onExit().get(10, TimeUnit.SECONDS);
            return true;
        } catch (IOException | NumberFormatException | java.util.concurrent.ExecutionException
                 | java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void launch(int index) {
        Path dir = directory(index);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("enabled_plugins"), BrokerLocator.PLUGINS, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("rabbit.conf"), String.join("\n",
                    "listeners.tcp.default = " + (AMQP_PORT + index),
                    "management.tcp.port = " + (MANAGEMENT_PORT + index),
                    "stream.listeners.tcp.1 = " + (STREAM_PORT + index),
                    "prometheus.tcp.port = " + (PROMETHEUS_PORT + index),
                    "loopback_users = none",
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the files of private node " + node(index) + " to " + dir, e);
        }
        run(List.of("chown", "-R", "rabbitmq:rabbitmq", BASE.toString()), Map.of(), 30, true);
        Map<String, String> environment = Map.of(
                "RABBITMQ_NODENAME", node(index),
                "RABBITMQ_DIST_PORT", String.valueOf(DISTRIBUTION_PORT + index),
                "RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString(),
                "RABBITMQ_LOG_BASE", dir.resolve("log").toString(),
                "RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString(),
                "RABBITMQ_CONFIG_FILE", dir.resolve("rabbit.conf").toString(),
                "RABBITMQ_PID_FILE", dir.resolve("pid").toString());
        // three file handles per quorum queue (FIELD-NOTES): the default 1,024 holds five pipelines at most
        String limit = openFiles == 0 ? "\"$(ulimit -Hn)\"" : String.valueOf(openFiles);
        run(List.of("sh", "-c", "ulimit -n " + limit + "; exec rabbitmq-server -detached"), environment, 60, true);
    }

    /**
     * Waits until node {@code index} runs RabbitMQ: {@code -detached} returns before the Erlang node is up, and
     * {@code await_startup} gives up at once on a node it cannot reach yet (a loaded machine takes seconds).
     */
    private void awaitStartup(int index) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        List<String> command = List.of("rabbitmqctl", "-q", "-n", node(index), "await_startup", "--timeout", "110");
        while (System.nanoTime() < deadline) {
            if (run(command, Map.of(), 120, false) == 0) {
                return;
            }
            sleep(1_000);
        }
        run(command, Map.of(), 120, true);
    }

    private void awaitManagement(int index) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (broker.management().get("/api/nodes").orElseThrow().size() == size) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            sleep(250);
        }
        throw new IllegalStateException("the management API of " + node(index) + " did not list " + size
                + " nodes within 60 s", last);
    }

    private void awaitGone(int index) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (run(List.of("rabbitmqctl", "-q", "-n", node(index), "ping"), Map.of(), 20, false) != 0) {
                return;
            }
            sleep(250);
        }
        throw new IllegalStateException("private node " + node(index) + " still answers 30 s after it was stopped");
    }

    private void ctl(int index, int seconds, String... arguments) {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-q", "-n", node(index)));
        command.addAll(List.of(arguments));
        run(command, Map.of(), seconds, true);
    }

    private static Path directory(int index) {
        return BASE.resolve(String.valueOf(index));
    }

    /**
     * Runs {@code command} with a clean environment (the CLI must not see the server's {@code RABBITMQ_*} settings)
     * plus {@code environment}; with {@code required}, a failure or a timeout throws with what the command printed.
     */
    private static int run(List<String> command, Map<String, String> environment, int seconds, boolean required) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.clear();
        env.put("PATH", path.contains("/usr/sbin") ? path : path + ":/usr/sbin:/sbin");
        env.put("HOME", System.getProperty("user.home", "/root"));
        env.put("LANG", "C.UTF-8");
        env.putAll(environment);
        try {
            Path output = Files.createTempFile("private-broker", ".out");
            try {
                Process process = builder.redirectOutput(output.toFile()).start();
                if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    if (required) {
                        throw new IllegalStateException(String.join(" ", command) + " did not end within " + seconds
                                + " s: " + Files.readString(output).strip());
                    }
                    return -1;
                }
                if (process.exitValue() != 0 && required) {
                    throw new IllegalStateException(String.join(" ", command) + " failed (exit "
                            + process.exitValue() + "): " + Files.readString(output).strip());
                }
                return process.exitValue();
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static void requireServer() {
        boolean installed = Stream.of("/usr/sbin/rabbitmq-server", "/usr/lib/rabbitmq/bin/rabbitmq-server")
                .map(Path::of).anyMatch(Files::isExecutable);
        if (!installed) {
            throw new IllegalStateException("Private RabbitMQ nodes need the rabbitmq-server package "
                    + "(apt-get install rabbitmq-server): no /usr/sbin/rabbitmq-server here");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("Private RabbitMQ nodes need root: rabbitmq-server switches to the "
                    + "rabbitmq user, whose Erlang cookie the nodes share; this JVM runs as "
                    + System.getProperty("user.name"));
        }
    }

    private static String shortHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            int dot = name.indexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot name the private RabbitMQ nodes: no host name", e);
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "private broker of " + size + " node(s), " + broker;
    }
}
