package io.stagecoach.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.springframework.boot.convert.DurationStyle;

/**
 * The command line of {@link LocalPipelineMain}, read with picocli: {@code --name value} or {@code --name=value};
 * {@code --image} and {@code --bad-marker} may be given more than once.
 *
 * @param amqpAddresses    every node of a cluster, comma-separated {@code host:port}, or null for the one host
 * @param environmentNames the environments to run (all when empty)
 * @param images           per promoted service, the image repository the overlays pin
 * @param badMarkers       per environment, the version marker its workloads answer 503 for
 * @param smokeDeadline    how long one deployment's smoke checks may retry, or null for the default
 * @param logFile          where the services log, or null for {@code <workdir>/pipeline.log}
 * @param replicas         instances of each service (one active consumer per inbox, the others standing by)
 * @param help             whether only the usage was asked for
 */
record MainArguments(Path workdir, String amqpHost, int amqpPort, boolean amqpTls, @Nullable String amqpAddresses,
                     List<String> environmentNames,
                     @Nullable Path environments, @Nullable String vhostPrefix, int basePort, int parallelism,
                     Map<String, String> images, Map<String, String> badMarkers, @Nullable Duration smokeDeadline,
                     @Nullable Path logFile, int replicas, boolean help) {

    /** The command line as picocli reads it; {@link #parse} checks the values. */
    @Command(name = "java -jar stagecoach-local-pipeline-exec.jar", sortOptions = false, usageHelpWidth = 110,
            description = {"Runs every Stagecoach service of every environment in this JVM, with a demo workload per "
                    + "promoted service and environment. The broker must be provisioned first (stagecoach provision)."})
    static final class Options {

        @Option(names = "--workdir", paramLabel = "DIR", defaultValue = ".stagecoach/local",
                description = "state: GitOps repository, clones, pipeline.json, ready (default ${DEFAULT-VALUE})")
        String workdir;

        @Option(names = "--log", paramLabel = "FILE", description = "the services' log (default <workdir>/pipeline.log)")
        String log;

        @Option(names = "--amqp-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
                description = "RabbitMQ host (default ${DEFAULT-VALUE})")
        String amqpHost;

        // numbers and durations as text: their messages name the option and the accepted range
        @Option(names = "--amqp-port", paramLabel = "PORT", description = "RabbitMQ AMQP port (default 5672)")
        String amqpPort;

        @Option(names = "--amqp-tls", description = "talk TLS to RabbitMQ")
        boolean amqpTls;

        @Option(names = "--amqp-addresses", paramLabel = "HOST:PORT[,HOST:PORT...]",
                description = "every node of a RabbitMQ cluster, tried in order; outranks --amqp-host and --amqp-port")
        String amqpAddresses;

        @Option(names = "--environments", paramLabel = "FILE",
                description = "environments file (default: the one shipped with Stagecoach)")
        String environments;

        @Option(names = "--vhost-prefix", paramLabel = "PREFIX",
                description = "prefix of every vhost and namespace, as provisioned (default none)")
        String vhostPrefix;

        @Option(names = "--env", paramLabel = "NAME[,NAME...]", description = "only these environments (default: every one)")
        String env;

        @Option(names = "--base-port", paramLabel = "PORT",
                description = "first port of the web servers, numbered in start order (default: free ports)")
        String basePort;

        @Option(names = "--image", paramLabel = "SERVICE=REPO",
                description = "image repository of a promoted service (default ghcr.io/acme/SERVICE); repeatable")
        List<String> images = new ArrayList<>();

        @Option(names = "--bad-marker", paramLabel = "ENV=TEXT",
                description = "a version containing TEXT fails ENV's workloads (default -bad); repeatable")
        List<String> badMarkers = new ArrayList<>();

        @Option(names = "--smoke-deadline", paramLabel = "D",
                description = "how long one deployment's smoke checks may retry, e.g. 30s (default 20s)")
        String smokeDeadline;

        @Option(names = "--parallelism", paramLabel = "N", description = "services starting at the same time (default "
                + LocalPipelineSettings.DEFAULT_PARALLELISM + ")")
        String parallelism;

        @Option(names = "--replicas", paramLabel = "N",
                description = "instances of each service, to watch a standby take over (default 1)")
        String replicas;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;
    }

    MainArguments {
        environmentNames = List.copyOf(environmentNames);
        images = Map.copyOf(images);
        badMarkers = Map.copyOf(badMarkers);
    }

    /** The options and what each is for. */
    static String usage() {
        return commandLine().getUsageMessage();
    }

    private static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Options());
        commandLine.getCommandSpec().parser().collectErrors(true);
        return commandLine;
    }

    /** @throws IllegalArgumentException naming every problem */
    static MainArguments parse(String... args) {
        CommandLine commandLine = commandLine();
        List<String> problems = new ArrayList<>(commandLine.parseArgs(args).errors().stream()
                .map(Exception::getMessage).toList());
        if (commandLine.isUsageHelpRequested()) {
            return new MainArguments(Path.of("."), "", 0, false, null, List.of(), null, null, 0, 1, Map.of(), Map.of(),
                    null, null, 1, true);
        }
        Options options = commandLine.getCommand();
        Map<String, String> images = new LinkedHashMap<>();
        options.images.forEach(value -> pair("image", value, images, problems));
        Map<String, String> badMarkers = new LinkedHashMap<>();
        options.badMarkers.forEach(value -> pair("bad-marker", value, badMarkers, problems));
        int amqpPort = number("amqp-port", options.amqpPort, 5672, 1, 65535, problems);
        int basePort = number("base-port", options.basePort, 0, 0, 65535, problems);
        int parallelism = number("parallelism", options.parallelism, LocalPipelineSettings.DEFAULT_PARALLELISM, 1, 64,
                problems);
        int replicas = number("replicas", options.replicas, 1, 1, 8, problems);
        Duration smokeDeadline = null;
        if (options.smokeDeadline != null) {
            try {
                smokeDeadline = DurationStyle.detectAndParse(options.smokeDeadline.trim());
            } catch (IllegalArgumentException e) {
                problems.add("--smoke-deadline must be a duration such as 30s or 2m, was '" + options.smokeDeadline
                        + "'");
            }
        }
        List<String> environmentNames = options.env != null
                ? List.of(options.env.split("\\s*,\\s*")).stream().filter(n -> !n.isBlank()).toList()
                : List.of();
        if (options.env != null && environmentNames.isEmpty()) {
            problems.add("--env needs at least one environment name");
        }
        if (options.amqpAddresses != null && !options.amqpAddresses.matches(
                "\\s*[^,:\\s]+:[0-9]{1,5}\\s*(,\\s*[^,:\\s]+:[0-9]{1,5}\\s*)*")) {
            problems.add("--amqp-addresses must be host:port, comma-separated, was '" + options.amqpAddresses + "'");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return new MainArguments(Path.of(options.workdir), options.amqpHost, amqpPort, options.amqpTls,
                options.amqpAddresses, environmentNames,
                options.environments == null ? null : Path.of(options.environments), options.vhostPrefix, basePort, parallelism, images, badMarkers, smokeDeadline,
                options.log == null ? null : Path.of(options.log), replicas, false);
    }

    private static void pair(String name, String value, Map<String, String> into, List<String> problems) {
        int equals = value.indexOf('=');
        if (equals <= 0 || equals == value.length() - 1) {
            problems.add("--" + name + " must be NAME=VALUE, was '" + value + "'");
            return;
        }
        into.put(value.substring(0, equals).trim(), value.substring(equals + 1).trim());
    }

    private static int number(String name, String value, int fallback, int min, int max, List<String> problems) {
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
                .replicas(replicas)
                .logFile(logFile != null ? logFile : workdir.resolve(LocalPipelineMain.LOG));
        if (amqpAddresses != null) {
            builder.amqpAddresses(amqpAddresses);
        }
        images.forEach(builder::image);
        badMarkers.forEach(builder::badMarker);
        if (smokeDeadline != null) {
            builder.smokeDeadline(smokeDeadline);
        }
        return builder.build();
    }
}
