package io.stagecoach.demoworkload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
 */
record Settings(int port, String environment, String service, Path overlay, String overlayPath, String badMarker) {

    static final String DEFAULT_BAD_MARKER = "-bad";

    static final String USAGE = """
            usage: java -jar stagecoach-demo-workload.jar --environment <name> --service <name> \
            --overlay <kustomization.yaml | git repository> [--overlay-path <path in the repository>] [--port <port>] \
            [--bad-marker <text>]
              --port          port to listen on, 0 for a free one (DEMO_PORT, default 8080)
              --environment   environment this instance runs in (DEMO_ENVIRONMENT)
              --service       service it stands in for; its images: entry declares the version (DEMO_SERVICE)
              --overlay       the environment's kustomization.yaml, or a Git repository (DEMO_OVERLAY)
              --overlay-path  with a repository: the kustomization.yaml inside it, read from HEAD (DEMO_OVERLAY_PATH)
              --bad-marker    a version containing it answers 503 (DEMO_BAD_MARKER, default -bad)""";

    private static final Map<String, String> ENV_NAMES = Map.of(
            "port", "DEMO_PORT",
            "environment", "DEMO_ENVIRONMENT",
            "service", "DEMO_SERVICE",
            "overlay", "DEMO_OVERLAY",
            "overlay-path", "DEMO_OVERLAY_PATH",
            "bad-marker", "DEMO_BAD_MARKER");

    /**
     * @throws IllegalArgumentException naming every problem, for the usage message
     */
    static Settings parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new java.util.HashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
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
            if (!ENV_NAMES.containsKey(name)) {
                problems.add("unknown option --" + name);
                continue;
            }
            values.put(name, value);
        }
        ENV_NAMES.forEach((name, variable) -> {
            String fromEnv = env.get(variable);
            if (!values.containsKey(name) && fromEnv != null && !fromEnv.isBlank()) {
                values.put(name, fromEnv);
            }
        });

        int port = 8080;
        if (values.containsKey("port")) {
            try {
                port = Integer.parseInt(values.get("port").trim());
                if (port < 0 || port > 65535) {
                    problems.add("--port must be between 0 and 65535, was " + port);
                }
            } catch (NumberFormatException e) {
                problems.add("--port must be a number, was '" + values.get("port") + "'");
            }
        }
        for (String required : List.of("environment", "service", "overlay")) {
            if (!values.containsKey(required) || values.get(required).isBlank()) {
                problems.add("--" + required + " (or " + ENV_NAMES.get(required) + ") is required");
            }
        }
        Path overlay = values.containsKey("overlay") ? Path.of(values.get("overlay")) : null;
        String overlayPath = values.get("overlay-path");
        if (overlay != null && Files.isDirectory(overlay) && overlayPath == null) {
            problems.add("--overlay " + overlay + " is a directory: name the kustomization.yaml inside the "
                    + "repository with --overlay-path");
        }
        String badMarker = values.getOrDefault("bad-marker", DEFAULT_BAD_MARKER);
        if (badMarker.isBlank()) {
            problems.add("--bad-marker must not be blank: every version would be a bad build");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return new Settings(port, values.get("environment"), values.get("service"), overlay, overlayPath, badMarker);
    }
}
