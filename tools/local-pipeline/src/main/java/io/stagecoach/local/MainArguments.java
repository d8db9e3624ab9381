package io.stagecoach.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;

/**
 * The command line of {@link LocalPipelineMain}: {@code --name value} or {@code --name=value}; {@code --image} and
 * {@code --bad-marker} may be given more than once.
 *
 * @param environmentNames the environments to run (all when empty)
 * @param images           per promoted service, the image repository the overlays pin
 * @param badMarkers       per environment, the version marker its workloads answer 503 for
 * @param smokeDeadline    how long one deployment's smoke checks may retry, or null for the default
 * @param logFile          where the services log, or null for {@code <workdir>/pipeline.log}
 * @param help             whether only the usage was asked for
 */
record MainArguments(Path workdir, String amqpHost, int amqpPort, boolean amqpTls, List<String> environmentNames,
                     @Nullable Path environments, @Nullable String vhostPrefix, int basePort, int parallelism,
                     Map<String, String> images, Map<String, String> badMarkers, @Nullable Duration smokeDeadline,
                     @Nullable Path logFile, boolean help) {

    static final String USAGE = """
            usage: java -jar stagecoach-local-pipeline-exec.jar [options]
            Runs every Stagecoach service of every environment in this JVM, with a demo workload per promoted service
            and environment. The broker must be provisioned first (stagecoach provision).
              --workdir DIR          state: GitOps repository, clones, pipeline.json, ready (default .stagecoach/local)
              --log FILE             the services' log (default <workdir>/pipeline.log)
              --amqp-host HOST       RabbitMQ host (default 127.0.0.1)
              --amqp-port PORT       RabbitMQ AMQP port (default 5672)
              --amqp-tls             talk TLS to RabbitMQ
              --environments FILE    environments file (default: the one shipped with Stagecoach)
              --vhost-prefix PREFIX  prefix of every vhost and namespace, as provisioned (default none)
              --env NAME[,NAME...]   only these environments (default: every one)
              --base-port PORT       first port of the web servers, numbered in start order (default: free ports)
              --image SERVICE=REPO   image repository of a promoted service (default ghcr.io/acme/SERVICE)
              --bad-marker ENV=TEXT  a version containing TEXT fails ENV's workloads (default -bad)
              --smoke-deadline D     how long one deployment's smoke checks may retry, e.g. 30s (default 20s)
              --parallelism N        services starting at the same time (default 4)
              --help                 this text""";

    private static final Set<String> OPTIONS = Set.of("workdir", "log", "amqp-host", "amqp-port", "environments",
            "vhost-prefix", "env", "base-port", "image", "bad-marker", "smoke-deadline", "parallelism");

    MainArguments {
        environmentNames = List.copyOf(environmentNames);
        images = Map.copyOf(images);
        badMarkers = Map.copyOf(badMarkers);
    }

    /** @throws IllegalArgumentException naming every problem */
    static MainArguments parse(String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> images = new LinkedHashMap<>();
        Map<String, String> badMarkers = new LinkedHashMap<>();
        boolean tls = false;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return new MainArguments(Path.of("."), "", 0, false, List.of(), null, null, 0, 1, Map.of(), Map.of(),
                        null, null, true);
            }
            if (!arg.startsWith("--")) {
                problems.add("unexpected argument '" + arg + "'");
                continue;
            }
            String name = arg.substring(2);
            if (name.equals("amqp-tls")) {
                tls = true;
                continue;
            }
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                problems.add("--" + name + " needs a value");
                continue;
            }
            if (!OPTIONS.contains(name)) {
                problems.add("unknown option --" + name);
                continue;
            }
            switch (name) {
                case "image" -> pair(name, value, images, problems);
                case "bad-marker" -> pair(name, value, badMarkers, problems);
                default -> values.put(name, value);
            }
        }
        int amqpPort = number(values, "amqp-port", 5672, 1, 65535, problems);
        int basePort = number(values, "base-port", 0, 0, 65535, problems);
        int parallelism = number(values, "parallelism", 4, 1, 64, problems);
        Duration smokeDeadline = null;
        if (values.containsKey("smoke-deadline")) {
            try {
                smokeDeadline = DurationStyle.detectAndParse(values.get("smoke-deadline").trim());
            } catch (IllegalArgumentException e) {
                problems.add("--smoke-deadline must be a duration such as 30s or 2m, was '"
                        + values.get("smoke-deadline") + "'");
            }
        }
        List<String> environmentNames = values.containsKey("env")
                ? List.of(values.get("env").split("\\s*,\\s*")).stream().filter(n -> !n.isBlank()).toList()
                : List.of();
        if (values.containsKey("env") && environmentNames.isEmpty()) {
            problems.add("--env needs at least one environment name");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        String environments = values.get("environments");
        String log = values.get("log");
        return new MainArguments(Path.of(values.getOrDefault("workdir", ".stagecoach/local")),
                values.getOrDefault("amqp-host", "127.0.0.1"), amqpPort, tls, environmentNames,
                environments == null ? null : Path.of(environments), values.get("vhost-prefix"), basePort,
                parallelism, images, badMarkers, smokeDeadline, log == null ? null : Path.of(log), false);
    }

    private static void pair(String name, String value, Map<String, String> into, List<String> problems) {
        int equals = value.indexOf('=');
        if (equals <= 0 || equals == value.length() - 1) {
            problems.add("--" + name + " must be NAME=VALUE, was '" + value + "'");
            return;
        }
        into.put(value.substring(0, equals).trim(), value.substring(equals + 1).trim());
    }

    private static int number(Map<String, String> values, String name, int fallback, int min, int max,
                              List<String> problems) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value.trim());
            if (number < min || number > max) {
                problems.add("--" + name + " must be between " + min + " and " + max + ", was " + number);
            }
            return number;
        } catch (NumberFormatException e) {
            problems.add("--" + name + " must be a number, was '" + value + "'");
            return fallback;
        }
    }

    LocalPipelineSettings settings() {
        LocalPipelineSettings.Builder builder = LocalPipelineSettings.builder(workdir)
                .amqp(amqpHost, amqpPort)
                .amqpTls(amqpTls)
                .environmentNames(environmentNames)
                .environmentsFile(environments)
                .vhostPrefix(vhostPrefix)
                .basePort(basePort)
                .parallelism(parallelism)
                .logFile(logFile != null ? logFile : workdir.resolve(LocalPipelineMain.LOG));
        images.forEach(builder::image);
        badMarkers.forEach(builder::badMarker);
        if (smokeDeadline != null) {
            builder.smokeDeadline(smokeDeadline);
        }
        return builder.build();
    }
}
