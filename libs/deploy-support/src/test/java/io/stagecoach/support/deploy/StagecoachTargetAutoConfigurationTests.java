package io.stagecoach.support.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.stagecoach.deploy.PermanentTargetException;
import io.stagecoach.platform.environments.Environments;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.io.TempDir;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.DeployTarget;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.deploy.ResilientDeployTarget;
import io.stagecoach.deploy.RunningRelease;
import io.stagecoach.deploy.TargetSettings;
import io.stagecoach.deploy.TransientTargetException;
import io.stagecoach.support.resilience.Resilience;
import io.stagecoach.support.resilience.ResilienceProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StagecoachTargetAutoConfigurationTests {

    private final StagecoachTargetAutoConfiguration configuration = new StagecoachTargetAutoConfiguration();

    @ParameterizedTest
    @CsvSource({"promotion, true", "rollback, true", "smoke-test, false", "approval, false", "build-completed, false",
            "'', false"})
    void onlyTheServicesThatDeployGetATargetWhateverTheClassPath(String service, boolean deploys) {
        new ApplicationContextRunner().withUserConfiguration(OnlyWhereATargetIs.class)
                .withPropertyValues("stagecoach.service=" + service)
                .run(context -> assertThat(context.containsBean("target")).as(service).isEqualTo(deploys));
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(StagecoachTargetAutoConfiguration.DeployingService.class)
    static class OnlyWhereATargetIs {

        @Bean
        String target() {
            return "target";
        }
    }

    /**
     * The services' own wiring (not only the target's defaults): races lost to other writers of the repository are
     * retried but never open the breaker; a repository that cannot be reached does.
     */
    @Test
    void theServicesBreakerOpensOnAnUnreachableTargetButNotOnContention() {
        ResilienceProperties properties = new ResilienceProperties(
                new ResilienceProperties.Retry(2, Duration.ofMillis(1), 1.0, Duration.ofMillis(1)),
                new ResilienceProperties.CircuitBreaker(50, 10, 5, Duration.ofSeconds(30), 1));
        Resilience resilience = new Resilience(properties, new SimpleMeterRegistry());
        TargetSettings settings = configuration.targetSettings(new MockEnvironment(), Environments.loadDefault());

        ResilientDeployTarget contended = configuration.deployTarget(failing(
                TransientTargetException.contention("main kept moving; gave up after 5 attempts")), settings,
                resilience, new SimpleMeterRegistry());
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> contended.running("dev", "svc")).isInstanceOf(TransientTargetException.class);
        }
        assertThat(contended.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);

        ResilientDeployTarget unreachable = configuration.deployTarget(failing(
                new TransientTargetException("cannot fetch from /srv/gitops.git: connection refused")), settings,
                new Resilience(properties, new SimpleMeterRegistry()), new SimpleMeterRegistry());
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> unreachable.running("dev", "svc")).isInstanceOfAny(
                    TransientTargetException.class, CallNotPermittedException.class);
        }
        assertThat(unreachable.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    private static DeployTarget failing(RuntimeException failure) {
        return new DeployTarget() {
            @Override
            public DeployResult deploy(Deployment deployment) {
                throw failure;
            }

            @Override
            public Optional<RunningRelease> running(String environment, String service) {
                throw failure;
            }
        };
    }

    @Test
    void deploysIntoALocalGitOpsRepositoryWhenNothingIsConfigured() {
        TargetSettings settings = configuration.targetSettings(new MockEnvironment(), Environments.loadDefault());

        assertThat(settings.type()).isEqualTo(TargetSettings.Type.GITOPS);
        assertThat(settings.gitops().directory()).isEqualTo(Path.of(".stagecoach/gitops"));
        assertThat(settings.gitops().remote()).isNull();
        assertThat(settings.gitops().layout()).isEqualTo("kustomize");
    }

    @Test
    void bindsTheGitOpsRepositoryItsRemoteAndPathTemplates() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("stagecoach.target.type", "gitops")
                .withProperty("stagecoach.target.gitops.repository", "/var/lib/stagecoach/deploy")
                .withProperty("stagecoach.target.gitops.remote", "/srv/git/deploy.git")
                .withProperty("stagecoach.target.gitops.layout", "helm")
                .withProperty("stagecoach.target.gitops.path", "charts/{service}/values-{environment}.yaml")
                .withProperty("stagecoach.target.gitops.tag-key", "image.tag")
                .withProperty("stagecoach.target.gitops.remote-timeout", "45s")
                .withProperty("stagecoach.target.gitops.images.knative-lambda-builder",
                        "ghcr.io/acme/knative-lambda-builder");

        TargetSettings.GitOps gitops = configuration.targetSettings(environment, Environments.loadDefault()).gitops();

        assertThat(gitops.directory()).isEqualTo(Path.of("/var/lib/stagecoach/deploy"));
        assertThat(gitops.remote()).isEqualTo("/srv/git/deploy.git");
        assertThat(gitops.layout()).isEqualTo("helm");
        assertThat(gitops.path()).isEqualTo("charts/{service}/values-{environment}.yaml");
        assertThat(gitops.remoteTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(gitops.images()).isEqualTo(Map.of("knative-lambda-builder", "ghcr.io/acme/knative-lambda-builder"));
    }

    @Test
    void theDeployTargetEnvironmentsYamlNamesForTheEnvironmentIsTheServicesUnlessASettingSaysOtherwise()
            throws Exception {
        String yaml = java.nio.file.Files.readString(Path.of("../../deploy/environments.yaml"));
        Environments environments = Environments.parse(yaml.replace("    namespace: knative-lambda-prod\n",
                "    namespace: knative-lambda-prod\n    deploy-target: kubernetes\n"), "environments.yaml");
        assertThat(environments.get("prod").cloud().deployTarget()).contains("kubernetes");

        MockEnvironment prod = new MockEnvironment().withProperty("stagecoach.environment", "prod");
        assertThat(configuration.targetSettings(prod, environments).type()).isEqualTo(TargetSettings.Type.KUBERNETES);
        MockEnvironment staging = new MockEnvironment().withProperty("stagecoach.environment", "staging");
        assertThat(configuration.targetSettings(staging, environments).type()).isEqualTo(TargetSettings.Type.GITOPS);
        assertThat(configuration.targetSettings(prod.withProperty("stagecoach.target.type", "kubernetes"),
                environments).type()).isEqualTo(TargetSettings.Type.KUBERNETES);
        MockEnvironment disagreeing = new MockEnvironment().withProperty("stagecoach.environment", "prod")
                .withProperty("stagecoach.target.type", "gitops");
        assertThatThrownBy(() -> configuration.targetSettings(disagreeing, environments))
                .hasMessageContaining("stagecoach.target.type is gitops but environments.yaml names kubernetes as "
                        + "prod's deploy-target");
    }

    @Test
    void bindsAKubernetesTargetThatDeploysIntoEachEnvironmentsNamespace() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("stagecoach.target.type", "kubernetes")
                .withProperty("stagecoach.target.kubernetes.rollout-timeout", "2m");

        TargetSettings settings = configuration.targetSettings(environment, Environments.loadDefault());

        assertThat(settings.type()).isEqualTo(TargetSettings.Type.KUBERNETES);
        assertThat(settings.kubernetes().rolloutTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.kubernetes().deployment()).isEqualTo("{service}");
        assertThat(StagecoachTargetAutoConfiguration.namespaces(Environments.loadDefault()))
                .containsEntry("dev", "knative-lambda-dev").containsEntry("prod", "knative-lambda-prod");
    }

    @Test
    void writesToTheRepositoryEnvironmentsYamlNamesForItsOwnEnvironmentOnly(@TempDir Path temp) throws Exception {
        Path prodRemote = temp.resolve("deploy-prod.git");
        Git.init().setBare(true).setInitialBranch("main").setDirectory(prodRemote.toFile()).call().close();
        Path file = temp.resolve("environments.yaml");
        Files.writeString(file, Files.readString(Path.of("../../deploy/environments.yaml")).replace(
                "    namespace: knative-lambda-prod\n", "    namespace: knative-lambda-prod\n"
                        + "    gitops-repository: " + prodRemote.toUri() + "\n    gitops-branch: desired\n"));
        Environments environments = Environments.load(file);
        MockEnvironment properties = new MockEnvironment().withProperty("stagecoach.environment", "prod")
                .withProperty("stagecoach.target.gitops.repository", temp.resolve("clone").toString())
                .withProperty("stagecoach.target.gitops.images.knative-lambda-builder",
                        "ghcr.io/acme/knative-lambda-builder");
        TargetSettings settings = configuration.targetSettings(properties, Environments.loadDefault());

        DeployTarget target = configuration.deployTargetDelegate(settings, environments, properties);
        try {
            target.deploy(Deployment.of("prod", "knative-lambda-builder", "1.3.0",
                    "ghcr.io/acme/knative-lambda-builder", null));
            assertThatThrownBy(() -> target.deploy(Deployment.of("staging", "knative-lambda-builder", "1.4.0",
                    "ghcr.io/acme/knative-lambda-builder", null))).isInstanceOf(PermanentTargetException.class);
        } finally {
            ((AutoCloseable) target).close();
        }

        try (Git remote = Git.open(prodRemote.toFile())) {
            assertThat(remote.getRepository().exactRef("refs/heads/desired")).isNotNull();
            assertThat(remote.getRepository().exactRef("refs/heads/main")).isNull();
        }
        assertThatThrownBy(() -> StagecoachTargetAutoConfiguration.ownRepository(configuration.targetSettings(
                new MockEnvironment().withProperty("stagecoach.target.gitops.remote", "/srv/git/shared.git"),
                Environments.loadDefault()), environments.get("prod")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("environments.yaml names");
    }
}
