package io.stagecoach.cli;

import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Starts the local pipeline the one way every command that runs it does ({@code up}, {@code bench --start}, the
 * demo): the jar built when stale, the process started in the pipeline's home and waited for (stopped again when
 * the command is interrupted meanwhile), then a description of what runs where. One place, so the commands cannot
 * drift apart in how they start it.
 */
final class PipelineStart {

    private PipelineStart() {
    }

    /**
     * Builds the jar when needed, starts the pipeline as {@code launch} says for that jar, waits until it is ready
     * and prints where everything listens.
     *
     * @param started receives the process, for a caller that stops it later; may be null
     */
    static PipelineProcess.Ready run(CliContext context, PipelineProcess pipeline, boolean noBuild,
                                     Function<Path, PipelineProcess.Launch> launch, List<String> environments,
                                     Duration readyTimeout, List<Process> started) throws InterruptedException {
        Path jar = new PipelineJar(LocalOptions.repository(context)).prepare(noBuild,
                pipeline.logs().resolve("build.log"), context.out());
        PipelineProcess.Ready ready = start(context, pipeline, launch.apply(jar), environments, readyTimeout, started);
        describe(ready, pipeline, context.out());
        return ready;
    }

    /**
     * Starts the pipeline and waits until it is ready; interrupted meanwhile (Ctrl-C), it stops it rather than
     * leave half a pipeline behind.
     *
     * @param started receives the process, for a caller that stops it later; may be null
     */
    static PipelineProcess.Ready start(CliContext context, PipelineProcess pipeline, PipelineProcess.Launch launch,
                                       List<String> environments, Duration readyTimeout, List<Process> started)
            throws InterruptedException {
        List<Process> processes = started != null ? started : Collections.synchronizedList(new ArrayList<>());
        Thread stopper = new Thread(() -> List.copyOf(processes).forEach(pipeline::stop), "stagecoach-pipeline-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            return pipeline.start(launch, new LinkedHashSet<>(environments), context.env(), readyTimeout,
                    context.out(), processes);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // shutting down: the hook is stopping it
            }
        }
    }

    /** How long it took, what it costs, and where each environment's services and workloads listen. */
    static void describe(PipelineProcess.Ready ready, PipelineProcess pipeline, PrintWriter out) {
        JsonNode description = ready.description();
        List<JsonNode> services = description.path("services").valueStream().toList();
        List<JsonNode> workloads = description.path("workloads").valueStream().toList();
        out.println("Stagecoach is up in " + PipelineProcess.seconds(ready.took()) + ": " + services.size()
                + " services and " + workloads.size() + " workloads in one process (pid " + ready.process().pid()
                + residentMemory(ready.process().pid()).map(m -> ", " + m + " resident").orElse("") + ")");
        for (JsonNode environment : description.path("environments")) {
            String name = environment.path("name").asString();
            StringBuilder line = new StringBuilder("  " + EventLines.pad(name, 10));
            services.stream().filter(s -> s.path("environment").asString().equals(name)).forEach(s -> line
                    .append(' ').append(s.path("service").asString()).append(" :").append(s.path("port").asInt()));
            List<String> ports = workloads.stream().filter(w -> w.path("environment").asString().equals(name))
                    .map(w -> ":" + w.path("port").asInt()).toList();
            line.append("  workload").append(ports.size() == 1 ? " " : "s ").append(String.join(" ", ports));
            out.println(line);
        }
        out.println("Ports and URLs: " + pipeline.description() + "   Logs: " + pipeline.logs());
        out.println("GitOps repository: " + pipeline.gitopsRepository());
        out.flush();
    }

    /** {@code 512 MB}, from {@code /proc} where there is one. */
    static Optional<String> residentMemory(long pid) {
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        try {
            return Files.readAllLines(status).stream().filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 + " MB");
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
