package io.stagecoach.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What ships for Kubernetes is what the services read. Every overlay under {@code deploy/k8s/overlays} is rendered
 * with {@code kubectl kustomize} and read into the fabric8 model; for every Stagecoach container, every environment
 * variable must be a setting the service reads ({@link DeclaredSettings}) and every mounted volume must be a path
 * such a setting names; the environment, the service and the broker password must be given (the password as the
 * file named as the user, from the Secret provisioning writes), and the GitOps target must be named. Replicas,
 * autoscaling, disruption budgets, resources and log level are those of the environment, and the Helm chart's values
 * say the same ({@link HelmChartTests} renders the chart itself and runs these checks on it). The smoke test calls
 * the workload's Service port and probe path.
 */
class KubernetesManifestsTests {

    static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    static final YAMLMapper YAML = new YAMLMapper();

    /** Per environment: replicas of every Stagecoach Deployment, HPA maximum (0: none), a PDB or not, log level. */
    record Sizing(int replicas, int maxReplicas, boolean disruptionBudget, String logLevel) {
    }

    static final Map<String, Sizing> SIZING = Map.of(
            "dev", new Sizing(1, 0, false, "DEBUG"),
            "staging", new Sizing(2, 4, false, "INFO"),
            "prod", new Sizing(3, 5, true, "INFO"));

    static Environments environments;
    static final Map<String, List<HasMetadata>> rendered = new LinkedHashMap<>();
    static final Map<String, List<HasMetadata>> workloads = new LinkedHashMap<>();

    @BeforeAll
    static void render() {
        environments = Environments.load(ROOT.resolve("deploy/environments.yaml"));
        for (Environment environment : environments.all()) {
            rendered.put(environment.name(), kustomize("deploy/k8s/overlays/" + environment.name()));
            workloads.put(environment.name(), kustomize("deploy/k8s/workloads/overlays/" + environment.name()));
        }
        assertThat(rendered).containsOnlyKeys(SIZING.keySet());
    }

    @Test
    void everyVariableAndMountIsReadAndTheRequiredOnesAreThere() {
        List<String> problems = new ArrayList<>();
        rendered.forEach((env, objects) -> {
            for (Deployment deployment : stagecoachDeployments(objects)) {
                problems.addAll(problemsOf(env, deployment, objects));
            }
        });
        assertThat(problems).as("what the services would not read, or miss").isEmpty();
    }

    @Test
    void aVariableNothingReadsIsNamed() {
        Deployment shipped = stagecoachDeployments(rendered.get("dev")).stream()
                .filter(d -> d.getMetadata().getName().equals("promotion")).findFirst().orElseThrow();
        assertThat(problemsOf("dev", shipped, rendered.get("dev"))).isEmpty();
        Deployment deployment = SERIALIZATION.unmarshal(SERIALIZATION.asYaml(shipped), Deployment.class);
        Container app = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        app.getEnv().add(new EnvVar("STAGECOACH_WORK_DIR", "/var/lib/stagecoach", null));
        app.getEnv().add(new EnvVar("SPRING_RABBITMQ_PASSWORD", "guest", null));
        app.getEnv().removeIf(variable -> variable.getName().equals("STAGECOACH_SECRETS_DIR"));

        List<String> problems = problemsOf("dev", deployment, rendered.get("dev"));

        assertThat(problems).anySatisfy(p -> assertThat(p).contains("STAGECOACH_WORK_DIR").contains("read by nothing"))
                .anySatisfy(p -> assertThat(p).contains("SPRING_RABBITMQ_PASSWORD").contains("the password is"))
                .anySatisfy(p -> assertThat(p).contains("no password for dev-promotion"))
                .anySatisfy(p -> assertThat(p).contains("/var/run/secrets/stagecoach").contains("mounted"));
    }

    @Test
    void replicasAutoscalingBudgetsResourcesAndLogLevelAreTheEnvironments() {
        rendered.forEach(KubernetesManifestsTests::assertSizedFor);
    }

    /** Replicas, autoscaler, disruption budget, resources and log level of {@code env}'s Deployments. */
    static void assertSizedFor(String env, List<HasMetadata> objects) {
        {
            Sizing sizing = SIZING.get(env);
            Map<String, HorizontalPodAutoscaler> hpas = byName(objects, HorizontalPodAutoscaler.class);
            Map<String, PodDisruptionBudget> pdbs = byName(objects, PodDisruptionBudget.class);
            List<Deployment> deployments = stagecoachDeployments(objects);
            assertThat(deployments).as(env).isNotEmpty();
            Set<String> names = deployments.stream().map(d -> d.getMetadata().getName()).collect(Collectors.toSet());
            for (Deployment deployment : deployments) {
                String name = env + "/" + deployment.getMetadata().getName();
                assertThat(deployment.getSpec().getReplicas()).as(name + " replicas").isEqualTo(sizing.replicas());
                Container app = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
                assertThat(value(app, "LOGGING_LEVEL_IO_STAGECOACH")).as(name + " log level").contains(sizing.logLevel());
                ResourceRequirements resources = app.getResources();
                assertThat(resources.getRequests()).as(name + " requests").containsKeys("cpu", "memory");
                assertThat(resources.getLimits()).as(name + " limits").containsKeys("cpu", "memory");
                HorizontalPodAutoscaler hpa = hpas.get(deployment.getMetadata().getName());
                if (sizing.maxReplicas() == 0) {
                    assertThat(hpa).as(name + " autoscaler").isNull();
                } else {
                    assertThat(hpa).as(name + " autoscaler").isNotNull();
                    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
                    assertThat(hpa.getSpec().getMinReplicas()).as(name).isEqualTo(sizing.replicas());
                    assertThat(hpa.getSpec().getMaxReplicas()).as(name).isEqualTo(sizing.maxReplicas());
                }
                PodDisruptionBudget pdb = pdbs.get(deployment.getMetadata().getName());
                if (sizing.disruptionBudget()) {
                    assertThat(pdb).as(name + " disruption budget").isNotNull();
                    assertThat(pdb.getSpec().getSelector().getMatchLabels())
                            .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
                    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isLessThan(sizing.replicas());
                } else {
                    assertThat(pdb).as(name + " disruption budget").isNull();
                }
            }
            assertThat(names).as(env + ": autoscalers of Deployments that exist").containsAll(hpas.keySet());
            assertThat(names).as(env + ": budgets of Deployments that exist").containsAll(pdbs.keySet());
        }
    }

    @Test
    void helmValuesSayWhatTheOverlaysSay() throws IOException {
        Path chart = ROOT.resolve("deploy/helm/stagecoach");
        JsonNode defaults = YAML.readTree(chart.resolve("values.yaml").toFile());
        Set<String> templateVariables = templateVariables(Files.readString(chart.resolve("templates/deployments.yaml")));
        Set<String> templateMounts = new TreeSet<>();
        Matcher mounts = Pattern.compile("mountPath: (\\S+)")
                .matcher(Files.readString(chart.resolve("templates/deployments.yaml")));
        while (mounts.find()) {
            templateMounts.add(mounts.group(1));
        }
        rendered.forEach((env, objects) -> {
            JsonNode values = merge(defaults.deepCopy(), readYaml(chart.resolve("values-" + env + ".yaml")));
            Sizing sizing = SIZING.get(env);
            Map<String, Deployment> deployments = stagecoachDeployments(objects).stream()
                    .collect(Collectors.toMap(d -> d.getMetadata().getName(), d -> d));
            Set<String> services = new TreeSet<>();
            values.path("services").properties().forEach(entry -> {
                if (!entry.getValue().isNull()) {
                    services.add(entry.getKey());
                }
            });
            assertThat(services).as(env + ": Helm installs the services the overlay has").isEqualTo(deployments.keySet());
            assertThat(values.path("environment").asString()).isEqualTo(env);
            assertThat(values.path("logLevel").asString()).as(env + " logLevel").isEqualTo(sizing.logLevel());
            assertThat(values.path("autoscaling").path("enabled").asBoolean()).as(env + " autoscaling")
                    .isEqualTo(sizing.maxReplicas() > 0);
            if (sizing.maxReplicas() > 0) {
                assertThat(values.path("autoscaling").path("maxReplicas").asInt()).isEqualTo(sizing.maxReplicas());
            }
            assertThat(values.path("podDisruptionBudget").path("enabled").asBoolean()).as(env + " PDB")
                    .isEqualTo(sizing.disruptionBudget());
            ConfigMap rabbit = configMap(objects, "stagecoach-rabbitmq").orElseThrow();
            assertThat(values.path("rabbitmq").path("port").asString()).isEqualTo(rabbit.getData().get("port"));
            assertThat(values.path("rabbitmq").path("ssl").asString()).isEqualTo(rabbit.getData().get("ssl"));
            assertThat(values.path("rabbitmq").path("vhost").asString())
                    .isEqualTo(environments.get(env).vhost());
            assertThat(values.path("gitops").path("remote").asString())
                    .isEqualTo(configMap(objects, "stagecoach-gitops").orElseThrow().getData().get("remote"));
            for (String service : services) {
                JsonNode svc = values.path("services").path(service);
                Container app = deployments.get(service).getSpec().getTemplate().getSpec().getContainers().get(0);
                assertThat(svc.path("replicas").asInt()).as(env + "/" + service + " replicas").isEqualTo(sizing.replicas());
                JsonNode resources = svc.path("resources").isEmpty() ? values.path("defaultResources") : svc.path("resources");
                for (String kind : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        Map<String, Quantity> rendered = kind.equals("requests") ? app.getResources().getRequests()
                                : app.getResources().getLimits();
                        assertThat(new Quantity(resources.path(kind).path(resource).asString()))
                                .as(env + "/" + service + " " + kind + "." + resource).isEqualTo(rendered.get(resource));
                    }
                }
                Set<String> overlayVariables = app.getEnv().stream().map(EnvVar::getName)
                        .collect(Collectors.toCollection(TreeSet::new));
                assertThat(templateVariables).as(env + "/" + service + ": the chart's variables")
                        .containsAll(overlayVariables);
                assertThat(templateMounts).as(env + "/" + service + ": the chart's mounts")
                        .containsAll(app.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList());
                DeclaredSettings declared = DeclaredSettings.of(service);
                assertThat(templateVariables.stream().filter(v -> declared.readerOf(v).isEmpty()
                        && !(v.equals("STAGECOACH_WEBHOOK_SECRET") || v.startsWith("STAGECOACH_TARGET_"))))
                        .as("chart variables " + service + " does not read (outside its conditional blocks)").isEmpty();
            }
        });
        // the conditional ones are read where the chart sets them
        assertThat(DeclaredSettings.of("build-completed").readerOf("STAGECOACH_WEBHOOK_SECRET")).isPresent();
        for (String variable : templateVariables.stream().filter(v -> v.startsWith("STAGECOACH_TARGET_")).toList()) {
            assertThat(DeclaredSettings.of("promotion").readerOf(variable)).as(variable).isPresent();
        }
        String template = Files.readString(chart.resolve("templates/deployments.yaml"));
        assertThat(template).as("the password file is named as the user, from the Secret provisioning writes")
                .contains("secretName: stagecoach-{{ $name }}-rabbitmq")
                .contains("path: {{ required \"rabbitmq.vhost is required\" $.Values.rabbitmq.vhost }}-{{ $name }}");
    }

    @Test
    void theSmokeTestCallsTheWorkloadsServicePortAndProbePath() throws IOException {
        JsonNode smokeTest = applicationYaml("smoke-test");
        List<String> urls = new ArrayList<>();
        smokeTest.path("stagecoach").path("smoke-test").path("services").properties().forEach(service ->
                service.getValue().path("checks").values().forEach(check -> urls.add(check.path("url").asString())));
        assertThat(urls).isNotEmpty();
        for (Environment environment : environments.all()) {
            List<HasMetadata> objects = workloads.get(environment.name());
            for (String template : urls) {
                URI url = URI.create(template.replace("{namespace}", environment.namespace())
                        .replace("{environment}", environment.name()));
                String[] host = url.getHost().split("\\.");
                Service service = byName(objects, Service.class).get(host[0]);
                assertThat(service).as(environment.name() + ": a Service " + host[0] + " for " + template).isNotNull();
                assertThat(host[1]).as("namespace in " + url).isEqualTo(service.getMetadata().getNamespace());
                int port = url.getPort() < 0 ? 80 : url.getPort();
                assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort).as(url + " port")
                        .contains(port);
                Deployment workload = byName(objects, Deployment.class).get(host[0]);
                assertThat(workload).as(environment.name() + ": Deployment " + host[0]).isNotNull();
                Set<String> probed = new LinkedHashSet<>();
                for (Container container : workload.getSpec().getTemplate().getSpec().getContainers()) {
                    for (Probe probe : new Probe[] {container.getReadinessProbe(), container.getLivenessProbe()}) {
                        if (probe != null && probe.getHttpGet() != null) {
                            probed.add(probe.getHttpGet().getPath());
                        }
                    }
                }
                assertThat(probed).as(url + ": the path the workload's probes call").contains(url.getPath());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    static List<String> problemsOf(String env, Deployment deployment, List<HasMetadata> objects) {
        String service = deployment.getMetadata().getName();
        String where = env + "/" + service;
        List<String> problems = new ArrayList<>();
        if (!DeclaredSettings.services().contains(service)) {
            return List.of(where + ": no Stagecoach service of that name");
        }
        DeclaredSettings declared = DeclaredSettings.of(service);
        Environment environment = environments.get(env);
        String user = environment.vhost() + "-" + service;
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        for (Container container : pod.getContainers()) {
            Map<String, String> values = new LinkedHashMap<>();
            List<String> read = new ArrayList<>();
            for (EnvVar variable : container.getEnv()) {
                Optional<String> reader = declared.readerOf(variable.getName());
                String derived = DeclaredSettings.DERIVED.entrySet().stream()
                        .filter(e -> DeclaredSettings.sets(variable.getName(), e.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                if (derived != null) {
                    problems.add(where + ": " + variable.getName() + " is overwritten by service-support (" + derived + ")");
                } else if (reader.isEmpty()) {
                    problems.add(where + ": " + variable.getName() + " is read by nothing " + service + " declares");
                }
                String value = resolve(variable, objects, problems, where);
                values.put(variable.getName(), value);
                if (derived == null && reader.isPresent() && value != null) {
                    read.add(value);
                }
            }
            if (!env.equals(values.get("STAGECOACH_ENVIRONMENT"))) {
                problems.add(where + ": STAGECOACH_ENVIRONMENT is " + values.get("STAGECOACH_ENVIRONMENT") + ", not " + env);
            }
            String vhost = values.get("SPRING_RABBITMQ_VIRTUAL_HOST");
            if (vhost != null && !vhost.equals(environment.vhost())) {
                problems.add(where + ": SPRING_RABBITMQ_VIRTUAL_HOST is " + vhost + ", not " + env + "'s vhost "
                        + environment.vhost() + " (the service refuses to start)");
            }
            if (!container.getImage().contains("/" + service + ":")) {
                problems.add(where + ": image " + container.getImage() + " is not the " + service + " service's");
            }
            Object configured = applicationYaml(service).path("stagecoach").path("service").asString("");
            if (!service.equals(configured)) {
                problems.add(where + ": the " + service + " image does not set stagecoach.service to " + service);
            }
            // every mount is a path a read setting names
            for (VolumeMount mount : container.getVolumeMounts()) {
                String path = mount.getMountPath();
                boolean named = read.stream().anyMatch(value -> names(value, path));
                if (!named) {
                    problems.add(where + ": " + path + " is mounted but no setting the service reads names it");
                }
            }
            // the broker password: the file <secrets dir>/<user> from the Secret stagecoach-<service>-rabbitmq
            String secretsDir = values.get(Credentials.SECRETS_DIR_VARIABLE);
            boolean password = secretsDir != null && container.getVolumeMounts().stream()
                    .filter(mount -> mount.getMountPath().equals(secretsDir))
                    .map(mount -> volumes.get(mount.getName())).filter(Objects::nonNull)
                    .filter(volume -> volume.getSecret() != null
                            && ("stagecoach-" + service + "-rabbitmq").equals(volume.getSecret().getSecretName())
                            && !Boolean.TRUE.equals(volume.getSecret().getOptional()))
                    .anyMatch(volume -> volume.getSecret().getItems().stream()
                            .anyMatch(item -> item.getKey().equals("password") && item.getPath().equals(user)));
            if (!password) {
                problems.add(where + ": no password for " + user + " (the key password of Secret stagecoach-" + service
                        + "-rabbitmq, mounted as $" + Credentials.SECRETS_DIR_VARIABLE + "/" + user + ")");
            }
            if (DeclaredSettings.DEPLOYING.contains(service)) {
                String remote = values.get("STAGECOACH_TARGET_GITOPS_REMOTE");
                if (!"gitops".equals(values.get("STAGECOACH_TARGET_TYPE")) || remote == null || remote.isBlank()
                        || remote.equals("unset")) {
                    problems.add(where + ": no GitOps target with a remote (STAGECOACH_TARGET_TYPE, "
                            + "STAGECOACH_TARGET_GITOPS_REMOTE is " + remote + ")");
                }
                String repository = values.get("STAGECOACH_TARGET_GITOPS_REPOSITORY");
                boolean writable = repository != null && container.getVolumeMounts().stream()
                        .filter(mount -> names(repository, mount.getMountPath()) && !Boolean.TRUE.equals(mount.getReadOnly()))
                        .map(mount -> volumes.get(mount.getName()))
                        .anyMatch(volume -> volume != null && volume.getEmptyDir() != null);
                if (!writable) {
                    problems.add(where + ": the GitOps working copy " + repository
                            + " is not on a writable volume (the root filesystem is read-only)");
                }
            }
        }
        return problems;
    }

    /** Whether a setting's value is {@code path} or lies under it (also inside {@code -Dkey=value} options). */
    static boolean names(String value, String path) {
        for (String part : value.split("\\s+")) {
            String candidate = part.contains("=") ? part.substring(part.indexOf('=') + 1) : part;
            if (candidate.equals(path) || candidate.startsWith(path.endsWith("/") ? path : path + "/")) {
                return true;
            }
        }
        return false;
    }

    /** A variable's value: literal, or from the rendered ConfigMap; a Secret's or a field's stands as a marker. */
    static String resolve(EnvVar variable, List<HasMetadata> objects, List<String> problems, String where) {
        if (variable.getValueFrom() == null) {
            return variable.getValue();
        }
        var ref = variable.getValueFrom().getConfigMapKeyRef();
        if (ref != null) {
            Optional<ConfigMap> configMap = configMap(objects, ref.getName());
            String value = configMap.map(c -> c.getData().get(ref.getKey())).orElse(null);
            if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
                problems.add(where + ": " + variable.getName() + " refers to " + ref.getName() + "/" + ref.getKey()
                        + ", which the overlay does not render");
            }
            return value;
        }
        return "<from " + variable.getValueFrom() + ">";
    }

    static Optional<ConfigMap> configMap(List<HasMetadata> objects, String name) {
        return objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(c -> c.getMetadata().getName().equals(name) || c.getMetadata().getName().matches(
                        Pattern.quote(name) + "-[a-z0-9]{10}")).findFirst();
    }

    static List<Deployment> stagecoachDeployments(List<HasMetadata> objects) {
        return objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .filter(d -> "stagecoach".equals(d.getMetadata().getLabels().get("app.kubernetes.io/part-of")))
                .toList();
    }

    static <T extends HasMetadata> Map<String, T> byName(List<HasMetadata> objects, Class<T> type) {
        Map<String, T> named = new LinkedHashMap<>();
        objects.stream().filter(type::isInstance).map(type::cast).forEach(o -> named.put(o.getMetadata().getName(), o));
        return named;
    }

    static Optional<String> value(Container container, String name) {
        return container.getEnv().stream().filter(v -> v.getName().equals(name)).map(EnvVar::getValue)
                .filter(Objects::nonNull).findFirst();
    }

    /** {@code kubectl kustomize DIR}, every document in the fabric8 model. */
    static List<HasMetadata> kustomize(String directory) {
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", ROOT.resolve(directory).toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("kubectl is needed to render " + directory + " (kubectl kustomize works "
                    + "offline); install kubectl", e);
        }
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("kubectl kustomize %s said:%n%s", directory, output).isZero();
            List<HasMetadata> objects = new ArrayList<>();
            for (String document : output.split("(?m)^---\\s*$")) {
                if (!document.isBlank()) {
                    objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
                }
            }
            assertThat(objects).as(directory).isNotEmpty();
            return objects;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The {@code application.yaml} that sets {@code stagecoach.service} to {@code service} (each image has one). */
    static JsonNode applicationYaml(String service) {
        try {
            for (URL url : Collections.list(KubernetesManifestsTests.class.getClassLoader()
                    .getResources("application.yaml"))) {
                try (InputStream in = url.openStream()) {
                    JsonNode yaml = YAML.readTree(in);
                    if (service.equals(yaml.path("stagecoach").path("service").asString(""))) {
                        return yaml;
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return YAML.createObjectNode();
    }

    /** Variable names under {@code env:} in the chart's Deployment template. */
    static Set<String> templateVariables(String template) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = Pattern.compile("(?m)^\\s+- name: ([A-Z][A-Z0-9_]*)\\s*$").matcher(template);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (Exception e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
    }

    /** Helm's merge of a values file over the defaults: objects merge, anything else replaces (null included). */
    static JsonNode merge(JsonNode base, JsonNode over) {
        if (!(base instanceof ObjectNode target) || !over.isObject()) {
            return over;
        }
        over.properties().forEach(entry -> {
            JsonNode existing = target.get(entry.getKey());
            target.set(entry.getKey(), existing == null ? entry.getValue() : merge(existing, entry.getValue()));
        });
        return target;
    }
}
