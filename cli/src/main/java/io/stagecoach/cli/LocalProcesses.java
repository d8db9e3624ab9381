package io.stagecoach.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Background processes with a log file and a pid file each, under a known folder: started with {@code up} (or the
 * demo), waited for until they answer their readiness probe, stopped by {@code down} (which tolerates pid files of
 * processes that are gone).
 */
final class LocalProcesses {

    /** Marks the command line of every process started here, so a recycled pid is never mistaken for one. */
    static final String MARKER = "-Dstagecoach.local=true";
    static final Duration STOP_GRACE = Duration.ofSeconds(20);

    /**
     * One process to run.
     *
     * @param name      e.g. {@code dev-promotion}: its log is {@code logs/<name>.log}, its pid file {@code run/<name>.pid}
     * @param command   the command line
     * @param readiness the URL that answers once it is ready (any answer for a workload, 200 for a service)
     * @param anyAnswer whether any HTTP status means ready
     */
    record Spec(String name, List<String> command, String readiness, boolean anyAnswer) {
    }

    /** A started process. */
    record Started(Spec spec, Process process, Path log, long startedAt) {
    }

    private final Path home;
    /** Set once stopping began (a shutdown hook): the processes exiting then are no failure to report. */
    private volatile boolean stopping;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    LocalProcesses(Path home) {
        this.home = home;
    }

    Path home() {
        return home;
    }

    Path logs() {
        return home.resolve("logs");
    }

    Path run() {
        return home.resolve("run");
    }

    /** The pid files of processes that still run, by name. */
    Map<String, Long> running() {
        Map<String, Long> running = new LinkedHashMap<>();
        for (Path pidFile : pidFiles()) {
            readPid(pidFile).filter(pid -> ours(pid).isPresent())
                    .ifPresent(pid -> running.put(name(pidFile), pid));
        }
        return running;
    }

    Started start(Spec spec, Map<String, String> environment) {
        try {
            Files.createDirectories(logs());
            Files.createDirectories(run());
            Path log = logs().resolve(spec.name() + ".log");
            ProcessBuilder builder = new ProcessBuilder(spec.command())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .directory(home.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            Files.writeString(run().resolve(spec.name() + ".pid"), process.pid() + "\n", StandardCharsets.UTF_8);
            return new Started(spec, process, log, System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until every process answers its readiness URL, printing each as it gets there.
     *
     * @return the process that died or did not get ready in time, if one did
     */
    Optional<Started> awaitReady(List<Started> started, Duration timeout, PrintWriter out) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Started> waiting = new ArrayList<>(started);
        long lastReport = System.nanoTime();
        while (!waiting.isEmpty()) {
            for (Started s : List.copyOf(waiting)) {
                if (stopping) {
                    return Optional.empty();
                }
                if (!s.process().isAlive()) {
                    out.println("  FAILED " + s.spec().name() + " exited with status " + s.process().exitValue());
                    out.flush();
                    return Optional.of(s);
                }
                if (ready(s.spec())) {
                    waiting.remove(s);
                    out.printf("  ready  %-24s %5.1fs  (log %s)%n", s.spec().name(),
                            (System.nanoTime() - s.startedAt()) / 1e9, home.relativize(s.log()));
                    out.flush();
                }
            }
            if (waiting.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                out.println("  FAILED " + waiting.get(0).spec().name() + " was not ready within "
                        + EventLines.age(timeout));
                return Optional.of(waiting.get(0));
            }
            if (System.nanoTime() - lastReport > Duration.ofSeconds(15).toNanos()) {
                out.println("  waiting for " + String.join(", ", waiting.stream().map(s -> s.spec().name()).toList()));
                out.flush();
                lastReport = System.nanoTime();
            }
            Thread.sleep(500);
        }
        return Optional.empty();
    }

    private boolean ready(Spec spec) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(spec.readiness()))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return spec.anyAnswer() || response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last lines of a process's log, to show why it failed. */
    static List<String> tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException | UncheckedIOException e) {
            return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
        }
    }

    /**
     * Stops every process with a pid file here: TERM first (they shut down gracefully), KILL after
     * {@link #STOP_GRACE}. Pid files of processes that are gone, or whose pid now belongs to another program, are
     * removed and reported.
     */
    int stopAll(PrintWriter out) throws InterruptedException {
        Map<String, ProcessHandle> stopping = new LinkedHashMap<>();
        for (Path pidFile : pidFiles()) {
            String name = name(pidFile);
            Optional<Long> pid = readPid(pidFile);
            Optional<ProcessHandle> process = pid.flatMap(this::ours);
            if (process.isEmpty()) {
                String why = pid.isEmpty() ? "unreadable pid file"
                        : ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive).isPresent()
                        ? "pid " + pid.get() + " now belongs to another program, left alone"
                        : "process " + pid.get() + " is gone";
                out.println("  " + name + ": " + why + "; removed its stale pid file");
                delete(pidFile);
                continue;
            }
            process.get().destroy();
            stopping.put(name, process.get());
        }
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (Map.Entry<String, ProcessHandle> entry : stopping.entrySet()) {
            ProcessHandle process = entry.getValue();
            while (process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            boolean killed = false;
            if (process.isAlive()) {
                process.destroyForcibly();
                killed = true;
            }
            out.println("  stopped " + entry.getKey() + " (pid " + process.pid() + (killed ? ", killed" : "") + ")");
            out.flush();
            delete(run().resolve(entry.getKey() + ".pid"));
        }
        return stopping.size();
    }

    /** Stops the given processes (the ones this command started), as {@link #stopAll} does. */
    void stop(List<Started> processes) {
        stopping = true;
        List<Started> started;
        synchronized (processes) {
            started = List.copyOf(processes);
        }
        started.forEach(s -> s.process().destroy());
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (Started s : started) {
            try {
                while (s.process().isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (s.process().isAlive()) {
                s.process().destroyForcibly();
            }
            delete(run().resolve(s.spec().name() + ".pid"));
        }
        synchronized (processes) {
            processes.removeAll(started);
        }
    }

    /** The process with this pid, if it runs and is one started here (its command line has {@link #MARKER}). */
    private Optional<ProcessHandle> ours(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(MARKER)).orElse(true));
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
}
