package io.stagecoach.cli;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.Release;
import io.stagecoach.platform.audit.AuditMessage;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@RealBroker
class DecisionCommandTests {

    static Cli cli;
    static Streams streams;

    @BeforeAll
    static void provision(TestBroker broker, @TempDir Path workingDirectory) {
        cli = Cli.against(broker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        streams = new Streams(broker, Environments.loadDefault().withVhostPrefix(broker.prefix()));
    }

    static CloudEvent<ApprovalRequested> waitingInProd(String version) throws Exception {
        Release release = Events.release(version);
        CloudEvent<ApprovalRequested> request = Events.approvalRequested(release, "prod", Events.passed(release, "staging").id());
        streams.append(request);
        return request;
    }

    static List<AuditMessage> decisions() throws Exception {
        return streams.audit("prod").stream().filter(m -> m.routingKey().equals("approval.decided.prod")).toList();
    }

    static CloudEvent<?> decode(AuditMessage message) {
        return new EventCodec().decode(message.body());
    }

    @Test
    void approvePublishesTheDecisionForExactlyTheRequestedReleaseAsTheChatopsUser() throws Exception {
        CloudEvent<ApprovalRequested> request = waitingInProd("1.0.0");

        Cli.Result result = cli.run("approve", request.data().requestId(), "--as", "alice");

        assertThat(result.status()).as(result.toString()).isZero();
        AuditMessage message = decisions().stream().filter(m -> ((ApprovalDecided) decode(m).data()).requestId()
                .equals(request.data().requestId())).findFirst().orElseThrow();
        assertThat(message.userId()).isEqualTo(cli.prefix() + "-prod-chatops");
        CloudEvent<?> decision = decode(message);
        Release release = request.data().release();
        assertThat(decision.data()).isEqualTo(new ApprovalDecided(request.data().requestId(), release.service(),
                release.version(), release.digest(), "prod", ApprovalDecided.Decision.APPROVE, "alice", null, false));
        assertThat(decision.correlationid()).isEqualTo(request.correlationid());
        assertThat(decision.causationid()).isEqualTo(request.id());
        assertThat(result.out()).contains("alice approves knative-lambda-builder 1.0.0");
    }

    @Test
    void anOverrideCarriesItsReason() throws Exception {
        CloudEvent<ApprovalRequested> request = waitingInProd("1.0.1");

        Cli.Result result = cli.run("approve", request.data().requestId(), "--as", "bob", "--env", "prod",
                "--override", "--reason", "hotfix for INC-42");

        assertThat(result.status()).as(result.toString()).isZero();
        ApprovalDecided decision = decisions().stream().map(m -> (ApprovalDecided) decode(m).data())
                .filter(d -> d.requestId().equals(request.data().requestId())).findFirst().orElseThrow();
        assertThat(decision.override()).isTrue();
        assertThat(decision.reason()).isEqualTo("hotfix for INC-42");
        assertThat(decision.approver()).isEqualTo("bob");
    }

    @Test
    void rejectPublishesARejectionWithItsReason() throws Exception {
        CloudEvent<ApprovalRequested> request = waitingInProd("1.0.2");

        Cli.Result result = cli.run("reject", request.data().requestId(), "--as", "alice", "--reason",
                "breaks the v2 API");

        assertThat(result.status()).as(result.toString()).isZero();
        AuditMessage message = decisions().stream().filter(m -> ((ApprovalDecided) decode(m).data()).requestId()
                .equals(request.data().requestId())).findFirst().orElseThrow();
        assertThat(message.userId()).isEqualTo(cli.prefix() + "-prod-chatops");
        ApprovalDecided decision = (ApprovalDecided) decode(message).data();
        assertThat(decision.decision()).isEqualTo(ApprovalDecided.Decision.REJECT);
        assertThat(decision.reason()).isEqualTo("breaks the v2 API");
    }

    /** Plays the approval service: answers the decision on {@code requestId} in the prod inbox with {@code answer}. */
    static Thread answerNextDecision(TestBroker broker, String requestId,
                                     java.util.function.Function<CloudEvent<ApprovalDecided>, CloudEvent<?>> answer) {
        String vhost = broker.prefix() + "-prod";
        Thread thread = new Thread(() -> {
            try (var connection = broker.adminConnectionFactory(vhost).newConnection();
                 var channel = connection.createChannel()) {
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
                while (System.nanoTime() < deadline) {
                    var delivery = io.stagecoach.testing.Deliveries.takeOne(connection, "approval.approval-decided",
                            java.time.Duration.ofMillis(100));
                    if (delivery == null) {
                        Thread.sleep(100);
                        continue;
                    }
                    CloudEvent<ApprovalDecided> decision = new EventCodec().decode(delivery.getBody(),
                            ApprovalDecided.class);
                    if (decision.data().requestId().equals(requestId)) {
                        streams.append(answer.apply(decision));
                        return;
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        thread.start();
        return thread;
    }

    @Test
    void waitingShowsTheGrantAndExitsZero(TestBroker broker) throws Exception {
        CloudEvent<ApprovalRequested> request = waitingInProd("1.0.4");
        Thread service = answerNextDecision(broker, request.data().requestId(),
                decision -> Events.granted(request.data().release(), "prod"));

        Cli.Result result = cli.run("approve", request.data().requestId(), "--as", "alice", "--wait");

        service.join(20_000);
        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains("approval.granted", "approved into prod", "by alice");
    }

    @Test
    void waitingShowsARefusalAndExitsOne(TestBroker broker) throws Exception {
        CloudEvent<ApprovalRequested> request = waitingInProd("1.0.5");
        Thread service = answerNextDecision(broker, request.data().requestId(),
                decision -> CloudEvent.causedBy(decision,
                new io.stagecoach.events.ApprovalRefused(request.data().requestId(), Events.SERVICE,
                        request.data().release(), "prod", "jane", decision.data().approver(),
                        io.stagecoach.events.ApprovalRefused.Reason.SELF_APPROVAL, "jane authored 1.0.5"),
                "/stagecoach/prod/approval", "prod"));

        Cli.Result result = cli.run("approve", request.data().requestId(), "--as", "jane", "--wait", "--timeout", "20s");

        service.join(20_000);
        assertThat(result.status()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).contains("The approval service refused the decision: SELF_APPROVAL — jane authored 1.0.5");
    }

    @Test
    void anUnknownRequestIsAClearErrorAndNothingIsSent() throws Exception {
        int before = decisions().size();

        Cli.Result result = cli.run("approve", "0b5e3a52-94a8-5b4e-8c1d-000000000000", "--as", "alice");

        assertThat(result.status()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).contains("Unknown request id 0b5e3a52-94a8-5b4e-8c1d-000000000000",
                "no pending approval request with that id in prod", "stagecoach status");
        assertThat(decisions()).hasSize(before);
    }

    @Test
    void aRequestThatWasAlreadyGrantedIsNotDecidedAgain() throws Exception {
        CloudEvent<ApprovalRequested> request = waitingInProd("1.0.3");
        streams.append(Events.granted(request.data().release(), "prod"));

        Cli.Result result = cli.run("approve", request.data().requestId(), "--as", "alice");

        assertThat(result.status()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).contains("was already granted", "nothing was sent");
    }
}
