package io.stagecoach.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three replicas of the promotion service in dev, as the sweeps see them: one leads, the others stand by, and when
 * the leader stops or its connection dies a standby leads within the 15 s a failover may take.
 */
@RealPipeline
class LeadershipTests {

    static TestBroker broker;
    static TestPipeline fixture;

    private final List<Leadership> replicas = new ArrayList<>();

    @AfterEach
    void stopReplicas() {
        replicas.forEach(Leadership::stop);
    }

    @Test
    void exactlyOneReplicaLeadsAndAStandbyLeadsWithinFifteenSecondsOfTheLeaderStopping() {
        Leadership first = replica();
        await().atMost(Duration.ofSeconds(15)).until(first::isLeader);
        Leadership second = replica();
        Leadership third = replica();
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                .until(() -> first.isLeader() && !second.isLeader() && !third.isLeader());

        long stopped = System.nanoTime();
        first.stop();
        await().atMost(Duration.ofSeconds(15)).until(() -> second.isLeader() || third.isLeader());
        Duration failover = Duration.ofNanos(System.nanoTime() - stopped);
        System.out.println("[leadership] a standby led " + failover.toMillis() + " ms after the leader stopped");

        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                .until(() -> !first.isLeader() && second.isLeader() != third.isLeader());
        assertThat(failover).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void whenTheLeadersConnectionDiesOneReplicaLeadsAgain() {
        Leadership first = replica();
        await().atMost(Duration.ofSeconds(15)).until(first::isLeader);
        // the only leadership connection so far: the leader's (the management API lists it after a moment)
        String vhost = ManagementApi.encode(fixture.vhost("dev"));
        String holder = await().atMost(Duration.ofSeconds(30)).until(() -> broker.management()
                .get("/api/vhosts/" + vhost + "/connections").orElseThrow().valueStream()
                .filter(c -> c.path("client_properties").path("connection_name").asString("")
                        .endsWith(" leadership"))
                .map(c -> c.path("name").asString()).findFirst().orElse(""), name -> !name.isEmpty());
        Leadership second = replica();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> !second.isLeader());

        long killed = System.nanoTime();
        broker.management().delete("/api/connections/" + ManagementApi.encode(holder));

        await().atMost(Duration.ofSeconds(15)).until(() -> first.isLeader() != second.isLeader());
        System.out.println("[leadership] a replica led " + Duration.ofNanos(System.nanoTime() - killed).toMillis()
                + " ms after the leader's connection was closed");
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                .until(() -> first.isLeader() != second.isLeader());
    }

    private Leadership replica() {
        StagecoachIdentity identity = StagecoachIdentity.of(fixture.environment("dev"), Principal.PROMOTION);
        ConnectionFactory factory = broker.connectionFactory(identity.vhost(), identity.user(),
                Credentials.passwordFor(identity.user()));
        Leadership leadership = new Leadership(factory, identity, Duration.ofSeconds(2),
                "stagecoach " + identity.user() + " leadership");
        replicas.add(leadership);
        leadership.start();
        return leadership;
    }
}
