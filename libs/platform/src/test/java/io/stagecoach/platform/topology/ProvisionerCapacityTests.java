package io.stagecoach.platform.topology;

import com.sun.net.httpserver.HttpServer;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.credentials.PasswordPolicy;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Provisioning against a broker whose open-file limit its quorum queues nearly take up: a stand-in for the
 * management API answers what RabbitMQ 3.10 answers for its nodes and queues, and records every call.
 */
class ProvisionerCapacityTests {

    HttpServer server;
    final List<String> calls = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /**
     * A management API of a node with {@code fdTotal} open files that holds {@code quorum} quorum queues; a negative
     * {@code fdTotal}: one that fails to list its nodes.
     */
    ManagementClient broker(long fdTotal, int quorum) throws IOException {
        StringBuilder queues = new StringBuilder("[");
        for (int i = 0; i < quorum; i++) {
            queues.append(i == 0 ? "" : ",").append("{\"name\":\"q").append(i)
                    .append("\",\"vhost\":\"other-pipeline\",\"type\":\"quorum\"}");
        }
        String queuesJson = queues.append("]").toString();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String call = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            calls.add(call);
            String body;
            int status = 200;
            if (call.startsWith("GET /api/nodes") && fdTotal < 0) {
                body = "{\"error\":\"internal_error\"}";
                status = 500;
            } else if (call.startsWith("GET /api/nodes")) {
                body = "[{\"name\":\"rabbit@here\",\"running\":true,\"fd_total\":" + fdTotal + "}]";
            } else if (call.startsWith("GET /api/queues?")) {
                body = queuesJson;
            } else if (call.startsWith("GET ")) {
                body = "[]";
                status = 404;
            } else {
                body = "";
                status = 204;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
            if (status != 204) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
            exchange.close();
        });
        server.start();
        return new ManagementClient("http://127.0.0.1:" + server.getAddress().getPort(), "guest", "guest");
    }

    static Provisioner provisioner(ManagementClient management) {
        return new Provisioner(management, PasswordPolicy.of(Credentials.fromVariables(Map.of())).allowingLocalOnly(),
                line -> { });
    }

    @Test
    void aPlanThatWouldTakeTheBrokerPastItsOpenFileLimitIsRefusedBeforeAnythingChanges() throws IOException {
        // 1,024 open files leave room for about 308 quorum queues; other pipelines hold 260, this one adds 61
        ManagementClient management = broker(1024, 260);

        ProvisioningReport report = provisioner(management).apply(Environments.loadDefault());

        assertThat(report.isClean()).isFalse();
        assertThat(report.differences()).singleElement().satisfies(difference -> {
            assertThat(difference.object()).isEqualTo("broker capacity");
            assertThat(difference.problem()).contains("this plan adds 61 quorum queues to the 260 the broker holds",
                    "open-file limit of 1024 leaves room for about 308", "hangs in the handshake",
                    "Nothing was changed", "About 2 more environments of 20 quorum queues fit");
            assertThat(difference.fix()).contains("65,536", "ulimit -n", "LimitNOFILE", "delete vhosts");
        });
        assertThat(calls).as("nothing but reads").allMatch(call -> call.startsWith("GET "));
    }

    @Test
    void aPlanThatFitsIsAppliedAndSaysHowManyMoreEnvironmentsWould() throws IOException {
        ManagementClient management = broker(1024, 186);

        Provisioner provisioner = provisioner(management);

        assertThat(provisioner.capacity(BrokerDefinitions.plan(Environments.loadDefault()))).isEmpty();
        provisioner.apply(Environments.loadDefault());
        assertThat(calls).anyMatch(call -> call.startsWith("PUT /api/vhosts/"));
        // with a limit that holds every queue there is no question to ask
        assertThat(provisioner(broker(65_536, 5_000)).capacity(BrokerDefinitions.plan(Environments.loadDefault())))
                .isEmpty();
    }

    @Test
    void aBrokerThatDoesNotReportItsLimitIsAskedAgainAndTheUncheckedPlanIsSaidSo() throws IOException {
        // fd_total 0: a node that has not collected its statistics yet
        ManagementClient management = broker(0, 186);
        List<String> lines = new java.util.ArrayList<>();
        Provisioner provisioner = new Provisioner(management,
                PasswordPolicy.of(Credentials.fromVariables(Map.of())).allowingLocalOnly(), lines::add);

        assertThat(provisioner.capacity(BrokerDefinitions.plan(Environments.loadDefault()))).isEmpty();
        assertThat(calls).filteredOn(call -> call.startsWith("GET /api/nodes")).hasSize(4);
        assertThat(lines).containsExactly("broker capacity: the broker does not report its open-file limit (fd_total "
                + "of /api/nodes); the quorum queues this plan adds fit even the common default of 1024 open files");
    }

    @Test
    void aBrokerThatDoesNotReportItsLimitRefusesAPlanTheCommonDefaultWouldNotHold() throws IOException {
        // a node short of file handles stops collecting its statistics, fd_total with them
        ManagementClient management = broker(0, 260);

        ProvisioningReport report = provisioner(management).apply(Environments.loadDefault());

        assertThat(report.differences()).singleElement().satisfies(difference -> {
            assertThat(difference.object()).isEqualTo("broker capacity");
            assertThat(difference.problem()).contains("does not report its open-file limit",
                    "adds 61 quorum queues to the 260", "common default of 1024", "Nothing was changed");
            assertThat(difference.fix()).contains("rabbitmqctl status", "65,536");
        });
        assertThat(calls).as("nothing but reads").allMatch(call -> call.startsWith("GET "));
    }

    @Test
    void aBrokerWhoseCapacityCannotBeReadEndsTheRunBeforeAnythingChanges() throws IOException {
        ManagementClient management = broker(-1, 0);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provisioner(management)
                .apply(Environments.loadDefault())).isInstanceOf(ManagementApiException.class);
        assertThat(calls).as("asked twice, changed nothing").filteredOn(call -> call.startsWith("GET /api/nodes"))
                .hasSize(2);
        assertThat(calls).noneMatch(call -> call.startsWith("PUT ") || call.startsWith("DELETE "));
    }
}
