package io.stagecoach.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The command line of {@link LocalPipelineMain}: {@code --name value} or {@code --name=value}.
 *
 * @param help whether only the usage was asked for
 */
record MainArguments(Path workdir, String amqpHost, int amqpPort, @Nullable Path environments,
                     @Nullable String vhostPrefix, int basePort, int parallelism, boolean help) {

    static final String USAGE = """
            usage: java -jar stagecoach-local-pipeline-exec.jar [options]
            Runs every Stagecoach service of every environment in this JVM, with a demo workload per environment.
            The broker must be provisioned first (stagecoach provision).
              --workdir DIR          state: GitOps repository, clones, pipeline.json, log (default .stagecoach/local)
              --amqp-host HOST       RabbitMQ host (default 127.0.0.1)
              --amqp-port PORT       RabbitMQ AMQP port (default 5672)
              --environments FILE    environments file (default: the one shipped with Stagecoach)
              --vhost-prefix PREFIX  prefix of every vhost and namespace, as provisioned (default none)
              --base-port PORT       first port of the web servers, numbered in start order (default: free ports)
              --parallelism N        services starting at the same time (default 4)
              --help                 this text""";

    private static final List<String> OPTIONS = List.of("workdir", "amqp-host", "amqp-port", "environments",
            "vhost-prefix", "base-port", "parallelism");

    /** @throws IllegalArgumentException naming every problem */
    static MainArguments parse(String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return new MainArguments(Path.of("."), "", 0, null, null, 0, 1, true);
            }
            if (!arg.startsWith("--")) {
                problems.add("unexpected argument '" + arg + "'");
                continue;
            }
            String name = arg.substring(2);
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
            values.put(name, value);
        }
        int amqpPort = number(values, "amqp-port", 5672, 1, 65535, problems);
        int basePort = number(values, "base-port", 0, 0, 65535, problems);
        int parallelism = number(values, "parallelism", 4, 1, 64, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        String environments = values.get("environments");
        return new MainArguments(Path.of(values.getOrDefault("workdir", ".stagecoach/local")),
                values.getOrDefault("amqp-host", "127.0.0.1"), amqpPort,
                environments == null ? null : Path.of(environments), values.get("vhost-prefix"), basePort,
                parallelism, false);
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
        return LocalPipelineSettings.builder(workdir)
                .amqp(amqpHost, amqpPort)
                .environmentsFile(environments)
                .vhostPrefix(vhostPrefix)
                .basePort(basePort)
                .parallelism(parallelism)
                .logFile(workdir.resolve(LocalPipelineMain.LOG))
                .build();
    }
}
