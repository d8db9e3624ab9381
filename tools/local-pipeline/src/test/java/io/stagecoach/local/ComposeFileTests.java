package io.stagecoach.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code compose.yaml} as Docker Compose reads it ({@code docker-compose config}, which validates without an
 * engine): every service of every environment, each with a health check, started only once what it needs is
 * healthy, and each with the settings the local pipeline gives the same service ({@link ServicePlan}), so the two
 * ways to run Stagecoach on one machine cannot drift apart.
 */
class ComposeFileTests {

    static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    /** The project's version, in the jar names. */
    static final String VERSION = pomValue("<artifactId>stagecoach</artifactId>\\s*<version>([^<]+)</version>");
    /** The services' images, as the images profile names them. */
    static final String IMAGES = pomValue("<stagecoach.image.registry>([^<]+)</stagecoach.image.registry>");
    static final String IMAGE_TAG = pomValue("<stagecoach.image.tag>([^<]+)</stagecoach.image.tag>");
    /** What differs in compose.yaml: the broker's and each workload's host name, the GitOps volume, port 8080. */
    static final int PORT = 8080;
    static final String GITOPS = "/gitops/gitops.git";

    static Environments environments;
    static ServicePlan plan;
    static JsonNode services;

    @BeforeAll
    static void render() throws Exception {
        Path compose = ROOT.resolve("compose.yaml");
        assertThat(compose).exists();
        Process process;
        try {
            process = new ProcessBuilder("docker-compose", "-f", compose.toString(), "config")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("docker-compose is needed to validate compose.yaml: "
                    + "apt-get install -y docker-compose (it validates without a Docker engine)", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("docker-compose config said:%n%s", output).isZero();
        services = new YAMLMapper().readTree(output).get("services");
        environments = Environments.load(ROOT.resolve("deploy/environments.yaml"));
        plan = ServicePlan.of(environments, List.of());
    }

    static String pomValue(String pattern) {
        try {
            Matcher value = Pattern.compile(pattern).matcher(Files.readString(ROOT.resolve("pom.xml")));
            if (!value.find()) {
                throw new IllegalStateException("no " + pattern + " in " + ROOT.resolve("pom.xml"));
            }
            return value.group(1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The container of a demo workload: one per environment, or one per promoted service where there are more. */
    static String workloadName(String environment, String service) {
        return environment + "-demo-workload" + (environments.services().size() == 1 ? "" : "-" + service);
    }

    static ServicePlan.Site site() {
        return new ServicePlan.Site("rabbitmq", 5672, null, "/etc/stagecoach/environments.yaml", GITOPS,
                (env, service) -> "/gitops/clones/" + env + "-" + service,
                (env, service) -> "http://" + workloadName(env, service) + ":" + PORT + "/health",
                LocalPipelineSettings.builder(Path.of(".")).build()::image, null);
    }

    static List<String> command(String folder, String jarModule, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of("java", "-jar", "/app/" + folder + "/" + jarModule
                + "/target/stagecoach-" + jarModule + "-" + VERSION + "-exec.jar"));
        command.addAll(arguments);
        return command;
    }

    static List<String> commandOf(String service) {
        List<String> command = new ArrayList<>();
        services.path(service).path("command").forEach(argument -> command.add(argument.asString()));
        return command;
    }

    @Test
    void runsWhatTheLocalPipelineRunsAndNothingElseButTheBrokerAndItsSetup() {
        List<String> expected = new ArrayList<>(List.of("rabbitmq", "setup", "gitops-init"));
        plan.services().forEach(e -> expected.add(e.environment().name() + "-" + e.service().id()));
        plan.workloads().forEach(w -> expected.add(workloadName(w.environment().name(), w.service())));
        List<String> names = new ArrayList<>();
        services.propertyNames().forEach(names::add);

        assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyServiceHasTheLocalPipelinesSettingsForItOnItsCommandLine() {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (ServicePlan.Entry entry : plan.services()) {
            List<String> arguments = ServicePlan.settings(entry, environments, site(), PORT).entrySet().stream()
                    .map(setting -> "--" + setting.getKey() + "=" + setting.getValue()).toList();
            // a service's image starts it: its command line is the settings alone
            expected.put(entry.environment().name() + "-" + entry.service().id(), arguments);
        }
        for (ServicePlan.Workload workload : plan.workloads()) {
            expected.put(workloadName(workload.environment().name(), workload.service()),
                    command("tools", "demo-workload", ServicePlan.workloadArguments(workload, PORT, GITOPS, null)));
        }
        Map<String, List<String>> actual = new LinkedHashMap<>();
        expected.keySet().forEach(service -> actual.put(service, commandOf(service)));

        assertThat(actual).as("compose.yaml and the local pipeline (ServicePlan) disagree; the command lines "
                + "that agree:%n%s", paste(expected)).isEqualTo(expected);
    }

    @Test
    void noVariableSetsWhatTheCommandLineSays() {
        List<String> problems = new ArrayList<>();
        services.properties().forEach(entry -> entry.getValue().path("environment").propertyNames().forEach(name -> {
            boolean allowed = name.equals("JAVA_TOOL_OPTIONS") || name.equals("STAGECOACH_MANAGEMENT_URL")
                    || name.equals("STAGECOACH_WEBHOOK_SECRET") || name.equals("STAGECOACH_SECRETS_DIR")
                    || name.startsWith("STAGECOACH_PASSWORD_") || name.startsWith("RABBITMQ_");
            if (!allowed) {
                problems.add(entry.getKey() + ": " + name);
            }
        }));
        assertThat(problems).as("settings belong on the command line, where ComposeFileTests checks them").isEmpty();
    }

    @Test
    void everyLongRunningServiceHasAHealthCheckAndWaitsForHealthyDependencies() {
        List<String> problems = new ArrayList<>();
        services.properties().forEach(entry -> {
            String name = entry.getKey();
            JsonNode service = entry.getValue();
            if (name.equals("setup") || name.equals("gitops-init")) {
                return;
            }
            if (service.path("healthcheck").path("test").isMissingNode()) {
                problems.add(name + " has no health check");
            }
            if (!name.equals("rabbitmq")) {
                JsonNode rabbit = service.path("depends_on").path("rabbitmq").path("condition");
                if (!rabbit.asString("").equals("service_healthy")) {
                    problems.add(name + " does not wait for a healthy rabbitmq");
                }
                JsonNode setup = service.path("depends_on").path("setup").path("condition");
                if (!setup.asString("").equals("service_completed_successfully")) {
                    problems.add(name + " does not wait for the broker to be provisioned");
                }
            }
        });
        for (Environment environment : environments.all()) {
            for (String promoted : environments.services()) {
                String workload = workloadName(environment.name(), promoted);
                assertThat(services.at("/" + environment.name() + "-smoke-test/depends_on/" + workload + "/condition")
                        .asString("")).as("%s-smoke-test waits for %s", environment.name(), workload)
                        .isEqualTo("service_healthy");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theServicesRunTheImagesTheBuildMakesAsTheirUserOnAReadOnlyRoot() {
        List<String> problems = new ArrayList<>();
        for (ServicePlan.Entry entry : plan.services()) {
            String name = entry.environment().name() + "-" + entry.service().id();
            JsonNode service = services.path(name);
            String image = IMAGES + "/" + entry.service().id() + ":" + IMAGE_TAG;
            if (!service.path("image").asString("").equals(image)) {
                problems.add(name + " runs " + service.path("image").asString("") + ", not " + image);
            }
            if (!service.path("user").asString("").equals("10001:10001") || !service.path("read_only").asBoolean()) {
                problems.add(name + " does not run as the image's user 10001 on a read-only root filesystem");
            }
            if (!Files.exists(ROOT.resolve("services").resolve(entry.service().id()).resolve("pom.xml"))) {
                problems.add(name + ": no module services/" + entry.service().id() + " builds its image");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theToolsRunTheJarsTheBuildMakes() {
        List<String> missing = new ArrayList<>();
        services.properties().forEach(entry -> entry.getValue().path("command").forEach(argument -> {
            String text = argument.asString("");
            if (text.startsWith("/app/") && text.endsWith(".jar")
                    && !Files.exists(ROOT.resolve(text.substring("/app/".length())).getParent().getParent())) {
                missing.add(entry.getKey() + ": " + text);
            }
        }));
        assertThat(missing).as("jars named in compose.yaml whose module does not exist").isEmpty();
    }

    /** The {@code command:} of each service as compose.yaml should have it. */
    private static String paste(Map<String, List<String>> commands) {
        return commands.entrySet().stream().map(entry -> "  " + entry.getKey() + ":\n    command: ["
                        + entry.getValue().stream().map(argument -> "\"" + argument + "\"")
                        .collect(Collectors.joining(",\n              ")) + "]")
                .collect(Collectors.joining("\n"));
    }
}
