package io.stagecoach.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResilientDeployTargetTests {

    private static final String SERVICE = "knative-lambda-builder";
    private static final String IMAGE = "ghcr.io/acme/knative-lambda-builder";
    private static final Deployment RELEASE =
            Deployment.of("staging", SERVICE, "1.4.2", IMAGE, "sha256:" + "2".repeat(64));
    private static final ResilientDeployTarget.Settings FAST = ResilientDeployTarget.Settings.defaults()
            .withBackoff(Duration.ofMillis(10), Duration.ofMillis(50));

    @TempDir
    Path temp;

    /** A target that fails as scripted, then succeeds, counting calls. */
    private static final class Scripted implements DeployTarget {

        final Deque<RuntimeException> failures = new ArrayDeque<>();
        final AtomicInteger calls = new AtomicInteger();

        Scripted failing(RuntimeException... scripted) {
            failures.addAll(List.of(scripted));
            return this;
        }

        @Override
        public DeployResult deploy(Deployment deployment) {
            calls.incrementAndGet();
            RuntimeException failure = failures.poll();
            if (failure != null) {
                throw failure;
            }
            return new DeployResult("abc123", true, null);
        }

        @Override
        public Optional<RunningRelease> running(String environment, String service) {
            deploy(RELEASE);
            return Optional.of(new RunningRelease("1.4.2", IMAGE, null, "abc123"));
        }
    }

    @Test
    void retriesATransientFailureWithBackoffThenSucceeds() {
        var scripted = new Scripted().failing(new TransientTargetException("push rejected"),
                new KubernetesClientException("unavailable", 503, null));
        var target = ResilientDeployTarget.of("staging", scripted, FAST);

        assertThat(target.deploy(RELEASE).revision()).isEqualTo("abc123");
        assertThat(scripted.calls).hasValue(3);
        assertThat(target.retry().getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt()).isEqualTo(1);
        assertThat(target.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void neverRetriesAPermanentFailureNorCountsItAgainstTheTarget() {
        var malformed = new MalformedManifestException("overlays/staging/kustomization.yaml", 3, "not a list");
        var scripted = new Scripted().failing(malformed);
        var target = ResilientDeployTarget.of("staging", scripted, FAST);

        assertThatThrownBy(() -> target.deploy(RELEASE)).isSameAs(malformed);
        assertThat(scripted.calls).hasValue(1);
        assertThat(target.retry().getMetrics().getNumberOfFailedCallsWithoutRetryAttempt()).isEqualTo(1);
        assertThat(target.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void givesUpAfterTheLastAttemptWithTheLastFailure() {
        var last = new TransientTargetException("third");
        var scripted = new Scripted().failing(new TransientTargetException("first"),
                new TransientTargetException("second"), last);
        var target = ResilientDeployTarget.of("staging", scripted, FAST.withMaxAttempts(3));

        assertThatThrownBy(() -> target.deploy(RELEASE)).isSameAs(last);
        assertThat(scripted.calls).hasValue(3);
    }

    @Test
    void anOpenBreakerFailsFastWithoutCallingTheTarget() {
        var settings = new ResilientDeployTarget.Settings(1, Duration.ofMillis(10), 2.0, Duration.ofMillis(10),
                50f, 2, 2, Duration.ofMinutes(1));
        var scripted = new Scripted().failing(new TransientTargetException("down"),
                new TransientTargetException("still down"));
        var target = ResilientDeployTarget.of("prod", scripted, settings);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> target.deploy(RELEASE)).isInstanceOf(TransientTargetException.class);
        }

        assertThatThrownBy(() -> target.running("prod", SERVICE)).isInstanceOf(CallNotPermittedException.class);
        assertThat(scripted.calls).hasValue(2);
        assertThat(target.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void otherWritersKeepingTheRepositoryBusyAreRetriedButNeverOpenTheBreaker() {
        // the same breaker that opens after two failures of two calls above
        var settings = new ResilientDeployTarget.Settings(2, Duration.ofMillis(10), 2.0, Duration.ofMillis(10),
                50f, 2, 2, Duration.ofMinutes(1));
        var scripted = new Scripted();
        for (int i = 0; i < 6; i++) {
            scripted.failing(TransientTargetException.contention("the remote kept moving; gave up after 5 attempts"));
        }
        var target = ResilientDeployTarget.of("staging", scripted, settings);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> target.deploy(RELEASE)).isInstanceOf(TransientTargetException.class)
                    .hasMessageContaining("kept moving");
        }

        assertThat(scripted.calls).as("each retried once").hasValue(6);
        assertThat(target.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(target.deploy(RELEASE).revision()).isEqualTo("abc123");
    }

    @Test
    void ridesOutARemoteThatIsBrieflyGoneThenPromotes() throws IOException {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        Path away = temp.resolve("remote-away.git");
        GitOpsSettings settings = GitOpsSettings.builder(temp.resolve("clone")).remote(remote.toUri().toString())
                .service(SERVICE, IMAGE).environment("staging").build();
        try (GitOpsTarget gitops = GitOpsTarget.open(settings)) {
            Files.move(remote, away);
            var calls = new AtomicInteger();
            DeployTarget flaky = new DeployTarget() {
                @Override
                public DeployResult deploy(Deployment deployment) {
                    calls.incrementAndGet();
                    try {
                        return gitops.deploy(deployment);
                    } finally {
                        moveBack();
                    }
                }

                private void moveBack() {
                    try {
                        if (Files.exists(away)) {
                            Files.move(away, remote);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public Optional<RunningRelease> running(String environment, String service) {
                    return gitops.running(environment, service);
                }
            };
            var target = ResilientDeployTarget.of("staging", flaky, FAST);

            DeployResult result = target.deploy(RELEASE);

            assertThat(calls).hasValue(2);
            assertThat(result.changed()).isTrue();
            assertThat(GitRepos.log(remote).get(0).getShortMessage())
                    .isEqualTo("Promote knative-lambda-builder 1.4.2 to staging");
        }
    }

    @Test
    void doesNotRetryAMalformedOverlayOfARealRepository() throws IOException {
        Path repo = temp.resolve("local");
        try (GitOpsTarget gitops = GitOpsTarget.open(GitOpsSettings.builder(repo)
                .service(SERVICE, IMAGE).environment("staging").build())) {
            Files.writeString(repo.resolve("overlays/staging/kustomization.yaml"), "images:\n  name: " + IMAGE + "\n");
            GitRepos.commitAll(repo, "Write images as a mapping by mistake");
            var calls = new AtomicInteger();
            DeployTarget counting = new DeployTarget() {
                @Override
                public DeployResult deploy(Deployment deployment) {
                    calls.incrementAndGet();
                    return gitops.deploy(deployment);
                }

                @Override
                public Optional<RunningRelease> running(String environment, String service) {
                    return gitops.running(environment, service);
                }
            };

            assertThatThrownBy(() -> ResilientDeployTarget.of("staging", counting, FAST).deploy(RELEASE))
                    .isInstanceOf(MalformedManifestException.class)
                    .hasMessage("overlays/staging/kustomization.yaml:2: 'images' is not a list");
            assertThat(calls).hasValue(1);
        }
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new TransientTargetException("push rejected"), true),
                Arguments.of(new PermanentTargetException("refused by a hook"), false),
                Arguments.of(new MalformedManifestException("k.yaml", 1, "flow style"), false),
                Arguments.of(new RolloutFailedException("progress deadline exceeded", null), false),
                Arguments.of(new UncheckedIOException(new IOException("disk busy")), true),
                Arguments.of(new RuntimeException(new java.net.SocketTimeoutException("read timed out")), true),
                Arguments.of(new KubernetesClientException("bad gateway", 502, null), true),
                Arguments.of(new KubernetesClientException("too many requests", 429, null), true),
                Arguments.of(new KubernetesClientException("not found", 404, null), false),
                Arguments.of(new KubernetesClientException("unprocessable", 422, null), false),
                Arguments.of(new IllegalArgumentException("invalid version"), false),
                Arguments.of(CallNotPermittedException.createCallNotPermittedException(
                        CircuitBreaker.ofDefaults("x")), false));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void tellsTransientFromPermanentFailures(Throwable failure, boolean retried) {
        assertThat(ResilientDeployTarget.isTransient(failure)).isEqualTo(retried);
    }
}
