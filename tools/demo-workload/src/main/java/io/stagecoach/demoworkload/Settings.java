package io.stagecoach.demoworkload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * How the workload is started: from {@code --name value} (or {@code --name=value}) arguments, each falling back
 * to an environment variable.
 *
 * @param port        where to listen; 0 picks a free port
 * @param environment the environment this instance pretends to run in
 * @param service     the service it stands in for: the {@code images:} entry it reads
 * @param overlay     the environment's {@code kustomization.yaml}, or a Git repository holding it
 * @param overlayPath the file's path inside the repository when {@code overlay} is one, else null
 * @param badMarker   a version containing this is a broken build here (503): one marker per instance lets a demo
 *                    release fail in one environment only
 * @param flagsPath   the service's feature flags file (flagd JSON): inside the repository when {@code overlay} is one,
 *                    else a file; its digest is reported as {@code flags}. Null for none
 */
record Settings(int port, String environment, String service, Path overlay, String overlayPath, String badMarker,
        String flagsPath) {

    static final String DEFAULT_BAD_MARKER = "-bad";

    private static final Map<String, String> ENV_NAMES = Map.of(
            "--port", "DEMO_PORT",
            "--environment", "DEMO_ENVIRONMENT",
            "--service", "DEMO_SERVICE",
            "--overlay", "DEMO_OVERLAY",
            "--overlay-path", "DEMO_OVERLAY_PATH",
            "--bad-marker", "DEMO_BAD_MARKER",
            "--flags-path", "DEMO_FLAGS_PATH");

    /** The command line; an option left out takes its variable from {@code env}. */
    @Command(name = "java -jar stagecoach-demo-workload.jar", sortOptions = false, usageHelpWidth = 110,
            description = "Serve GET /health with the version the environment's overlay declares.")
    static final class Options {

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        // text, not int: the message for a bad value names the option and the variable alike
        @Option(names = "--port", paramLabel = "PORT",
                description = "port to listen on, 0 for a free one (DEMO_PORT, default 8080)")
        String port;

        @Option(names = "--environment", paramLabel = "NAME",
                description = "environment this instance runs in (DEMO_ENVIRONMENT)")
        String environment;

        @Option(names = "--service", paramLabel = "NAME",
                description = "service it stands in for; its images: entry declares the version (DEMO_SERVICE)")
        String service;

        @Option(names = "--overlay", paramLabel = "FILE|REPOSITORY",
                description = "the environment's kustomization.yaml, or a Git repository (DEMO_OVERLAY)")
        String overlay;

        @Option(names = "--overlay-path", paramLabel = "PATH",
                description = "with a repository: the kustomization.yaml inside it, read from HEAD (DEMO_OVERLAY_PATH)")
        String overlayPath;

        @Option(names = "--bad-marker", paramLabel = "TEXT",
                description = "a version containing it answers 503 (DEMO_BAD_MARKER, default " + DEFAULT_BAD_MARKER + ")")
        String badMarker;

        @Option(names = "--flags-path", paramLabel = "PATH",
                description = "the service's flagd flags file, in the repository with one, else a file; /health reports"
                        + " the digest of what it holds as flags (DEMO_FLAGS_PATH)")
        String flagsPath;
    }

    static CommandLine commandLine(Map<String, String> env) {
        CommandLine commandLine = new CommandLine(new Options());
        commandLine.getCommandSpec().parser().collectErrors(true);
        commandLine.setDefaultValueProvider(argument -> {
            String variable = argument instanceof OptionSpec option ? ENV_NAMES.get(option.longestName()) : null;
            String value = variable == null ? null : env.get(variable);
            return value == null || value.isBlank() ? null : value;
        });
        return commandLine;
    }

    /**
     * @throws IllegalArgumentException naming every problem, for the usage message
     */
    static Settings parse(String[] args, Map<String, String> env) {
        return parse(commandLine(env), args);
    }

    /**
     * The settings, or null when only the help was asked for.
     *
     * @throws IllegalArgumentException naming every problem, for the usage message
     */
    static Settings parse(CommandLine commandLine, String[] args) {
        List<String> problems = new ArrayList<>(commandLine.parseArgs(args).errors().stream()
                .map(Exception::getMessage).toList());
        if (commandLine.isUsageHelpRequested()) {
            return null;
        }
        Options options = commandLine.getCommand();
        int port = 8080;
        if (options.port != null) {
            try {
                port = Integer.parseInt(options.port.trim());
                if (port < 0 || port > 65535) {
                    problems.add("--port must be between 0 and 65535, was " + port);
                }
            } catch (NumberFormatException e) {
                problems.add("--port must be a number, was '" + options.port + "'");
            }
        }
        for (String required : List.of("--environment", "--service", "--overlay")) {
            String value = switch (required) {
                case "--environment" -> options.environment;
                case "--service" -> options.service;
                default -> options.overlay;
            };
            if (value == null || value.isBlank()) {
                problems.add(required + " (or " + ENV_NAMES.get(required) + ") is required");
            }
        }
        Path overlay = options.overlay != null ? Path.of(options.overlay) : null;
        if (overlay != null && Files.isDirectory(overlay) && options.overlayPath == null) {
            problems.add("--overlay " + overlay + " is a directory: name the kustomization.yaml inside the "
                    + "repository with --overlay-path");
        }
        String badMarker = options.badMarker != null ? options.badMarker : DEFAULT_BAD_MARKER;
        if (badMarker.isBlank()) {
            problems.add("--bad-marker must not be blank: every version would be a bad build");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return new Settings(port, options.environment, options.service, overlay, options.overlayPath, badMarker,
                options.flagsPath == null || options.flagsPath.isBlank() ? null : options.flagsPath);
    }
}
