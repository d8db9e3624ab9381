package io.stagecoach.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.stagecoach.platform.environments.Environment;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the {@link LocalPipeline} until the JVM is stopped: what {@code stagecoach up} starts in the background.
 * Once every service is ready it writes {@code <workdir>/pipeline.json} (the port map) and then the marker
 * {@code <workdir>/ready}; on shutdown it removes both. A start that fails writes {@code <workdir>/failed} with
 * the reason and exits with status 1. A second pipeline on the directory of a running one exits with status 1 and
 * touches nothing.
 */
public final class LocalPipelineMain {

    static final String PIPELINE_JSON = "pipeline.json";
    static final String READY = "ready";
    static final String FAILED = "failed";
    static final String LOG = "pipeline.log";
    static final String LOCK = "pipeline.lock";

    private LocalPipelineMain() {
    }

    public static void main(String[] args) throws Exception {
        MainArguments arguments;
        try {
            arguments = MainArguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(MainArguments.usage());
            System.exit(2);
            return;
        }
        if (arguments.help()) {
            System.out.print(MainArguments.usage());
            return;
        }
        Path workdir = arguments.workdir().toAbsolutePath().normalize();
        Files.createDirectories(workdir);
        // held until the JVM exits: a second pipeline on the same directory would share queues and clones
        FileChannel lockFile = FileChannel.open(workdir.resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        if (lockFile.tryLock() == null) {
            System.err.println("a local pipeline already runs in " + workdir + " (see " + workdir.resolve(PIPELINE_JSON)
                    + "); stop it first");
            System.exit(1);
            return;
        }
        for (String leftover : List.of(READY, PIPELINE_JSON, FAILED)) {
            Files.deleteIfExists(workdir.resolve(leftover));
        }
        System.out.println("starting the local pipeline in " + workdir + " (log: "
                + arguments.settings().logFile().toAbsolutePath().normalize() + ")");
        LocalPipeline pipeline;
        try {
            pipeline = LocalPipeline.start(arguments.settings(), System.out::println);
        } catch (RuntimeException e) {
            Files.writeString(workdir.resolve(FAILED), e.getMessage() + "\n", StandardCharsets.UTF_8);
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(workdir.resolve(READY));
                Files.deleteIfExists(workdir.resolve(PIPELINE_JSON));
            } catch (IOException e) {
                System.err.println("could not remove the readiness files: " + e.getMessage());
            }
            long stopping = System.nanoTime();
            pipeline.close();
            System.out.println("pipeline stopped in " + LocalPipeline.seconds(
                    Duration.ofNanos(System.nanoTime() - stopping)));
            stopped.countDown();
        }, "stagecoach-local-pipeline-main-shutdown"));
        writeAtomically(workdir.resolve(PIPELINE_JSON), describe(pipeline, workdir));
        writeAtomically(workdir.resolve(READY), Instant.now() + "\n");
        System.out.println("pipeline ready in " + LocalPipeline.seconds(pipeline.startup()) + ": "
                + workdir.resolve(PIPELINE_JSON));
        stopped.await();
    }

    /** The port map and what a client needs to talk to the pipeline. */
    static String describe(LocalPipeline pipeline, Path workdir) {
        LocalPipelineSettings settings = pipeline.settings();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", "ready");
        json.put("pid", ProcessHandle.current().pid());
        json.put("readyAt", Instant.now().toString());
        json.put("startupMillis", pipeline.startup().toMillis());
        json.put("workdir", workdir.toString());
        json.put("log", settings.logFile() != null ? settings.logFile().toAbsolutePath().normalize().toString() : null);
        json.put("amqp", Map.of("host", settings.amqpHost(), "port", settings.amqpPort()));
        json.put("vhostPrefix", settings.vhostPrefix());
        // the environments that run here, each with the time until its last service was ready
        json.put("environments", pipeline.environments().all().stream()
                .filter(e -> pipeline.environmentStartups().containsKey(e.name()))
                .map(e -> environment(e, pipeline.environmentStartups().get(e.name()))).toList());
        json.put("gitops", pipeline.gitopsRepository().toString());
        json.put("services", pipeline.services().stream().map(s -> {
            Map<String, Object> service = new LinkedHashMap<>();
            service.put("environment", s.environment());
            service.put("service", s.service());
            service.put("port", s.port() > 0 ? s.port() : null);
            service.put("url", s.port() > 0 ? "http://127.0.0.1:" + s.port() : null);
            service.put("startupMillis", s.startup().toMillis());
            return service;
        }).toList());
        json.put("workloads", pipeline.workloads().stream().map(w -> {
            Map<String, Object> workload = new LinkedHashMap<>();
            workload.put("environment", w.environment());
            workload.put("service", w.service());
            workload.put("port", w.port());
            workload.put("url", w.url());
            return workload;
        }).toList());
        return JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n";
    }

    private static Map<String, Object> environment(Environment environment, Duration startup) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", environment.name());
        json.put("vhost", environment.vhost());
        json.put("gate", environment.isManual() ? "manual" : "auto");
        json.put("readyMillis", startup.toMillis());
        return json;
    }

    /** A reader never sees half a file: written beside it, then moved into place. */
    private static void writeAtomically(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
