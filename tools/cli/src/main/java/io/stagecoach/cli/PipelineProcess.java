package io.stagecoach.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local pipeline as one background process (every service of every environment in one JVM, see
 * {@code tools/local-pipeline}) living in a folder, its home: started by {@code up} and the demo, recognised by a
 * second {@code up}, stopped by {@code down}.
 *
 * <p>In the home: {@code run/pipeline.pid}; {@code logs/pipeline.log} (every service's log) and
 * {@code logs/pipeline.out} (the pipeline's progress and errors); what the pipeline itself writes there:
 * {@code pipeline.json} (its ports, written once every service is ready, with {@code ready} after it),
 * {@code failed}, {@code pipeline.lock}, the GitOps repository {@code gitops.git} and its clones.
 */
final class PipelineProcess {

    /** Marks the command line of every process started here, so a recycled pid is never mistaken for one. */
    static final String MARKER = "-Dstagecoach.local=true";
    static final String NAME = "pipeline";
    /** Eleven contexts close in a few seconds; then it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** One JVM for many small contexts on a small machine: the quick JIT tier and the serial collector. */
    static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto");
    /** Replaces {@link #JVM_OPTIONS} when set, e.g. to measure with both JIT tiers. */
    static final String JVM_OPTIONS_VARIABLE = "STAGECOACH_PIPELINE_JAVA_OPTIONS";

    /** The pipeline JVM's options: the marker, then {@code configured} split at white space, or the defaults. */
    static List<String> jvmOptions(String configured) {
        List<String> options = new ArrayList<>(List.of(MARKER));
        if (configured == null || configured.isBlank()) {
            options.addAll(JVM_OPTIONS);
        } else {
            options.addAll(List.of(configured.trim().split("\\s+")));
        }
        return options;
    }
    /** Variables that would give the services another identity or path than the one on their command line. */
    static final List<String> IDENTITY_VARIABLES = List.of(AmqpOptions.USER_VARIABLE, AmqpOptions.PASSWORD_VARIABLE,
            EnvironmentOptions.FILE_VARIABLE, EnvironmentOptions.PREFIX_VARIABLE, "STAGECOACH_ENVIRONMENT",
            "STAGECOACH_SERVICE");

    /**
     * How to run the pipeline.
     *
     * @param environmentsFile the environments file, or null for the shipped one
     * @param environments     the environments to run; empty for all
     * @param basePort         the first of consecutive web server ports, or 0 for free ports
     * @param images           image repository per promoted service (others: the pipeline's default)
     * @param badMarkers       per environment, the version marker its workloads fail (others: {@code -bad})
     */
    record Launch(Path jar, Broker broker, Path environmentsFile, String vhostPrefix, List<String> environments,
                  int basePort, Map<String, String> images, Map<String, String> badMarkers, Duration smokeDeadline) {

        List<String> command(Path home) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions(System.getenv(JVM_OPTIONS_VARIABLE)));
            command.addAll(List.of("-jar", jar.toString(), "--workdir", home.toString(), "--log",
                    home.resolve("logs").resolve(NAME + ".log").toString(), "--amqp-host", broker.host(),
                    "--amqp-port", String.valueOf(broker.port())));
            if (broker.tls()) {
                command.add("--amqp-tls");
            }
            if (broker.nodes().size() > 1) {
                command.addAll(List.of("--amqp-addresses", broker.nodes().stream()
                        .map(node -> node.getHost() + ":" + node.getPort()).collect(Collectors.joining(","))));
            }
            if (environmentsFile != null) {
                command.addAll(List.of("--environments", environmentsFile.toString()));
            }
            if (vhostPrefix != null) {
                command.addAll(List.of("--vhost-prefix", vhostPrefix));
            }
            if (!environments.isEmpty()) {
                command.addAll(List.of("--env", String.join(",", environments)));
            }
            if (basePort > 0) {
                command.addAll(List.of("--base-port", String.valueOf(basePort)));
            }
            images.forEach((service, image) -> command.addAll(List.of("--image", service + "=" + image)));
            badMarkers.forEach((env, marker) -> command.addAll(List.of("--bad-marker", env + "=" + marker)));
            command.addAll(List.of("--smoke-deadline", smokeDeadline.toMillis() + "ms"));
            return command;
        }
    }

    /** A pipeline that runs here: its pid and, once it is ready, what {@code pipeline.json} says. */
    record Running(long pid, Optional<JsonNode> description) {

        /** The environments it runs, e.g. {@code dev, staging, prod}, or empty while it starts. */
        String environments() {
            return description.map(d -> String.join(", ", d.path("environments").valueStream()
                    .map(e -> e.path("name").asString()).toList())).orElse("");
        }
    }

    /** The started process, and how long it took until every service was ready. */
    record Ready(Process process, JsonNode description, Duration took) {
    }

    private final Path home;

    PipelineProcess(Path home) {
        this.home = home;
    }

    Path home() {
        return home;
    }

    Path logs() {
        return home.resolve("logs");
    }

    Path log() {
        return logs().resolve(NAME + ".log");
    }

    Path console() {
        return logs().resolve(NAME + ".out");
    }

    Path run() {
        return home.resolve("run");
    }

    Path description() {
        return home.resolve("pipeline.json");
    }

    Path gitopsRepository() {
        return home.resolve("gitops.git");
    }

    /**
     * The pipeline that runs in this home, if one does: the one its pid file names, or one holding the home's lock
     * (started by hand with {@code java -jar}).
     */
    Optional<Running> running() {
        Optional<ProcessHandle> process = readPid(run().resolve(NAME + ".pid")).flatMap(PipelineProcess::ours);
        if (process.isPresent()) {
            return Optional.of(new Running(process.get().pid(), readDescription()));
        }
        if (lockHeld()) {
            Optional<JsonNode> description = readDescription();
            return Optional.of(new Running(description.map(d -> d.path("pid").asLong()).orElse(-1L), description));
        }
        return Optional.empty();
    }

    /**
     * Starts the pipeline in the background and waits until every service is ready, printing a line per
     * environment as it gets there.
     *
     * @param environments the names of the environments it runs, whose lines to show
     * @param started      receives the process at once, so a shutdown hook can stop it even while it starts
     * @throws CliException when it exits or is not ready within {@code timeout}: it is stopped, and the message
     *                      says why with the end of its output
     */
    Ready start(Launch launch, Set<String> environments, Map<String, String> env, Duration timeout, PrintWriter out,
                List<Process> started) throws InterruptedException {
        Process process;
        long begin = System.nanoTime();
        try {
            Files.createDirectories(logs());
            Files.createDirectories(run());
            // left by a pipeline that was killed: a marker from then must not pass for this start's
            for (String leftover : List.of("ready", "failed", "pipeline.json")) {
                Files.deleteIfExists(home.resolve(leftover));
            }
            ProcessBuilder builder = new ProcessBuilder(launch.command(home))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(console().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .directory(home.toFile());
            builder.environment().clear();
            builder.environment().putAll(childEnvironment(env));
            process = builder.start();
            started.add(process);
            Files.writeString(run().resolve(NAME + ".pid"), process.pid() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local pipeline: " + e.getMessage(), e);
        }
        out.println("  one process, pid " + process.pid() + ": every service of every environment as a Spring "
                + "context of its own (log " + home.relativize(log()) + ")");
        out.flush();
        try {
            JsonNode description = awaitReady(process, environments, begin, timeout, out);
            return new Ready(process, description, Duration.ofNanos(System.nanoTime() - begin));
        } catch (RuntimeException | InterruptedException e) {
            stop(process);
            throw e;
        }
    }

    private JsonNode awaitReady(Process process, Set<String> environments, long begin, Duration timeout,
                                PrintWriter out) throws InterruptedException {
        long deadline = begin + timeout.toNanos();
        long lastReport = System.nanoTime();
        ConsoleFollower console = new ConsoleFollower(console());
        while (true) {
            for (String line : console.newLines()) {
                if (environmentReady(line, environments)) {
                    String name = line.trim().split("\\s+")[0];
                    out.println("  " + EventLines.pad(name, 10) + line.trim().substring(name.length()).strip());
                    out.flush();
                }
            }
            Optional<JsonNode> description = readDescription()
                    .filter(d -> d.path("pid").asLong() == process.pid() && Files.exists(home.resolve("ready")));
            if (description.isPresent()) {
                return description.get();
            }
            if (!process.isAlive()) {
                throw failure("The local pipeline exited with status " + process.exitValue() + " before it was ready");
            }
            if (System.nanoTime() > deadline) {
                throw failure("The local pipeline was not ready within " + EventLines.age(timeout));
            }
            if (System.nanoTime() - lastReport > Duration.ofSeconds(15).toNanos()) {
                out.println("  still starting after " + EventLines.age(Duration.ofNanos(System.nanoTime() - begin))
                        + " (progress in " + home.relativize(console()) + ")");
                out.flush();
                lastReport = System.nanoTime();
            }
            Thread.sleep(100);
        }
    }

    /** {@code dev   ready in 6.1s  4 services, 1 workload}: an environment's line, not a service's. */
    static boolean environmentReady(String line, Set<String> environments) {
        String[] words = line.trim().split("\\s+");
        return words.length > 2 && environments.contains(words[0]) && words[1].equals("ready")
                && words[2].equals("in");
    }

    private CliException failure(String what) {
        StringBuilder message = new StringBuilder(what);
        try {
            if (Files.exists(home.resolve("failed"))) {
                message.append(": ").append(Files.readString(home.resolve("failed"), StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            // the output below says it as well
        }
        message.append(System.lineSeparator()).append("The end of ").append(console()).append(':');
        tail(console(), 20).forEach(l -> message.append(System.lineSeparator()).append("  | ").append(l));
        message.append(System.lineSeparator()).append("Every service's log: ").append(log())
                .append(System.lineSeparator()).append("Stopped it.");
        return CliException.pipeline(message.toString());
    }

    /** The variables the pipeline gets: this one's, without those that would give it another identity. */
    static Map<String, String> childEnvironment(Map<String, String> env) {
        Map<String, String> child = new HashMap<>(env);
        IDENTITY_VARIABLES.forEach(child::remove);
        return child;
    }

    /**
     * Stops every process with a pid file here: TERM first (the pipeline closes every context), KILL after
     * {@link #STOP_GRACE}. Pid files of processes that are gone, or whose pid now belongs to another program, are
     * removed and reported. (Besides the pipeline's, pid files of an earlier Stagecoach's process per service.)
     *
     * @return how many processes it stopped
     */
    int stopAll(PrintWriter out) {
        int stopped = 0;
        for (Path pidFile : pidFiles()) {
            String name = name(pidFile);
            Optional<Long> pid = readPid(pidFile);
            Optional<ProcessHandle> process = pid.flatMap(PipelineProcess::ours);
            if (process.isEmpty()) {
                String why = pid.isEmpty() ? "unreadable pid file"
                        : ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive).isPresent()
                        ? "pid " + pid.get() + " now belongs to another program, left alone"
                        : "process " + pid.get() + " is gone";
                out.println("  " + name + ": " + why + "; removed its stale pid file");
                delete(pidFile);
                continue;
            }
            long begin = System.nanoTime();
            boolean killed = stop(process.get());
            out.println(String.format(Locale.ROOT, "  stopped %s (pid %d%s) in %s", name, process.get().pid(),
                    killed ? ", killed" : "", seconds(Duration.ofNanos(System.nanoTime() - begin))));
            out.flush();
            delete(pidFile);
            stopped++;
        }
        if (stopped > 0 && !lockHeld()) {
            // a killed pipeline could not remove its markers
            for (String leftover : List.of("ready", "pipeline.json")) {
                delete(home.resolve(leftover));
            }
        }
        return stopped;
    }

    /** Stops a process this command started, as {@link #stopAll} does, and removes its pid file. */
    void stop(Process process) {
        stop(process.toHandle());
        delete(run().resolve(NAME + ".pid"));
    }

    /** @return whether it had to be killed */
    private static boolean stop(ProcessHandle process) {
        process.destroy();
        try {
            process.onExit().get(STOP_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return false;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return true;
        }
    }

    /** The process with this pid, if it runs and is one started here (its command line has {@link #MARKER}). */
    private static Optional<ProcessHandle> ours(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(MARKER)).orElse(true));
    }

    /** Whether a pipeline holds the home's lock (it does for as long as it runs). */
    private boolean lockHeld() {
        Path lock = home.resolve("pipeline.lock");
        if (!Files.exists(lock)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock held = channel.tryLock();
            if (held == null) {
                return true;
            }
            held.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Optional<JsonNode> readDescription() {
        try {
            return Files.exists(description())
                    ? Optional.of(JsonMapper.builder().build().readTree(Files.readString(description())))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code 9.8s}. */
    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }

    /** The last lines of a file, to show why something failed. */
    static List<String> tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException | UncheckedIOException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }

    private List<Path> pidFiles() {
        if (!Files.isDirectory(run())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(run())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pid")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(Path pidFile) {
        String file = pidFile.getFileName().toString();
        return file.substring(0, file.length() - ".pid".length());
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a pid file that cannot be removed is reported as stale next time
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }

    /** Reads what a process appended to its output since the last call, line by line. */
    private static final class ConsoleFollower {

        private final Path file;
        private long offset;
        private final StringBuilder partial = new StringBuilder();

        ConsoleFollower(Path file) {
            this.file = file;
        }

        List<String> newLines() {
            List<String> lines = new ArrayList<>();
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                if (in.length() <= offset) {
                    return lines;
                }
                byte[] bytes = new byte[(int) (in.length() - offset)];
                in.seek(offset);
                in.readFully(bytes);
                offset += bytes.length;
                partial.append(new String(bytes, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return lines;
            }
            int end;
            while ((end = partial.indexOf("\n")) >= 0) {
                lines.add(partial.substring(0, end));
                partial.delete(0, end + 1);
            }
            return lines;
        }
    }
}
