package io.stagecoach.platform.topology;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.ProvisionedBroker;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * People in the RabbitMQ management UI, and the chat bot's own read path, on the real broker: each environment's
 * viewer sees that environment's vhost and queues and nothing else, and can read, publish, purge or delete nothing;
 * no other Stagecoach user may log in to the UI at all; the chat bot consumes what waits behind a manual gate, and how
 * it ended, from a queue of its own, and nothing else.
 */
@RealBroker
class PeopleAndChatBotAccessTests {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static ProvisionedBroker pipeline;
    static TestBroker broker;

    @BeforeAll
    static void provision(TestBroker given) {
        broker = given;
        pipeline = ProvisionedBroker.provisioned(given, "people");
    }

    @Test
    void eachViewerSeesItsOwnEnvironmentsQueuesAndNoOtherVhost() throws Exception {
        for (Environment environment : pipeline.environments().all()) {
            String viewer = pipeline.user(environment.name(), Principal.VIEWER);

            HttpResponse<String> vhosts = get(viewer, "/api/vhosts");
            HttpResponse<String> queues = get(viewer, "/api/queues/" + encode(environment.vhost()));

            assertThat(vhosts.statusCode()).as(viewer + " logs in to the management API").isEqualTo(200);
            assertThat(names(vhosts.body())).as("the vhosts " + viewer + " sees").containsExactly(environment.vhost());
            assertThat(queues.statusCode()).isEqualTo(200);
            assertThat(names(queues.body())).as("the queues " + viewer + " sees")
                    .contains(BrokerNames.AUDIT_STREAM, BrokerNames.inboxQueue("rollback", EventType.ALERT_FIRING));
            for (Environment other : pipeline.environments().all()) {
                if (!other.equals(environment)) {
                    assertThat(get(viewer, "/api/queues/" + encode(other.vhost())).statusCode())
                            .as(viewer + " lists the queues of " + other.vhost()).isNotEqualTo(200);
                    assertThat(get(viewer, "/api/queues").body()).doesNotContain(other.vhost());
                }
            }
            assertThat(get(viewer, "/api/users").statusCode()).as(viewer + " lists users").isNotEqualTo(200);
        }
    }

    @Test
    void aViewerReadsPublishesPurgesAndDeletesNothing() throws Exception {
        Environment prod = pipeline.environments().get("prod");
        String viewer = pipeline.user("prod", Principal.VIEWER);
        String inbox = encode(BrokerNames.inboxQueue("approval", EventType.APPROVAL_DECIDED));
        String vhost = encode(prod.vhost());

        List<String> allowed = new ArrayList<>();
        record Attempt(String what, HttpResponse<String> response) {
        }
        for (Attempt attempt : List.of(
                new Attempt("peek at messages", post(viewer, "/api/queues/" + vhost + "/" + inbox + "/get",
                        "{\"count\":1,\"ackmode\":\"ack_requeue_true\",\"encoding\":\"auto\"}")),
                new Attempt("publish", post(viewer, "/api/exchanges/" + vhost + "/" + BrokerNames.EVENTS_EXCHANGE
                        + "/publish", "{\"properties\":{},\"routing_key\":\"approval.decided.prod\","
                        + "\"payload\":\"{}\",\"payload_encoding\":\"string\"}")),
                new Attempt("purge", send(viewer, "DELETE", "/api/queues/" + vhost + "/" + inbox + "/contents", null)),
                new Attempt("delete a queue", send(viewer, "DELETE", "/api/queues/" + vhost + "/" + inbox, null)),
                new Attempt("declare a queue", send(viewer, "PUT", "/api/queues/" + vhost + "/mine", "{}")))) {
            if (attempt.response().statusCode() / 100 == 2) {
                allowed.add(attempt.what() + ": " + attempt.response().statusCode());
            }
        }

        assertThat(allowed).as("what the viewer of prod could do").isEmpty();
        assertThat(broker.management().get("/api/queues/" + vhost + "/" + inbox)).as("the inbox is still there")
                .isPresent();
        try (Connection connection = pipeline.connectionFactory("prod", Principal.VIEWER).newConnection()) {
            Channel channel = connection.createChannel();
            Throwable consume = catchThrowable(() -> channel.basicConsume(
                    BrokerNames.inboxQueue("approval", EventType.APPROVAL_DECIDED), true, (tag, d) -> { }, tag -> { }));
            assertThat(consume).as("the viewer consumes over AMQP").isNotNull();
        }
    }

    @Test
    void noStagecoachUserButTheViewersMayLogInToTheManagementUi() throws Exception {
        List<String> admitted = new ArrayList<>();
        int tried = 0;
        for (Definitions.User user : BrokerDefinitions.plan(pipeline.environments()).users()) {
            tried++;
            int status = get(user.name(), "/api/overview").statusCode();
            boolean viewer = user.name().endsWith("-" + Principal.VIEWER.id());
            if ((status == 200) != viewer) {
                admitted.add(user.name() + ": " + status);
            }
        }
        assertThat(tried).isGreaterThanOrEqualTo(19);
        assertThat(admitted).as("users the management UI treated other than planned").isEmpty();
    }

    @Test
    void theChatBotReadsWhatWaitsAndHowItEndedFromItsOwnQueueAndNothingElse() throws Exception {
        String routingKey = EventType.APPROVAL_OPENED.routingKey("prod");
        pipeline.publish("prod", Principal.APPROVAL, routingKey, "{\"id\":\"opened-1\"}");
        pipeline.publish("prod", Principal.APPROVAL, EventType.APPROVAL_GRANTED.routingKey("prod"),
                "{\"id\":\"granted-1\"}");

        BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
        try (Connection connection = pipeline.connectionFactory("prod", Principal.CHATOPS).newConnection()) {
            Channel channel = connection.createChannel();
            channel.basicConsume(BrokerDefinitions.CHATOPS_FEED, false, (tag, delivery) -> {
                received.add(delivery);
                channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
            }, tag -> { });
            Delivery opened = received.poll(10, TimeUnit.SECONDS);
            Delivery granted = received.poll(10, TimeUnit.SECONDS);

            assertThat(opened).as("the bot learns that a release waits").isNotNull();
            assertThat(opened.getEnvelope().getRoutingKey()).isEqualTo(routingKey);
            assertThat(opened.getProperties().getUserId()).as("who published it, as the broker checked it")
                    .isEqualTo(pipeline.user("prod", Principal.APPROVAL));
            assertThat(granted).isNotNull();
            assertThat(granted.getEnvelope().getRoutingKey()).isEqualTo(EventType.APPROVAL_GRANTED.routingKey("prod"));

            Channel other = connection.createChannel();
            Throwable inbox = catchThrowable(() -> other.basicConsume(
                    BrokerNames.inboxQueue("approval", EventType.APPROVAL_DECIDED), true, (t, d) -> { }, t -> { }));
            assertThat(inbox).as("the bot consumes the approval service's inbox").isNotNull();
            assertThat(inbox.toString() + inbox.getCause()).contains("ACCESS_REFUSED");
        }
        for (Environment environment : pipeline.environments().all()) {
            boolean gated = environment.isManual();
            assertThat(broker.management().get("/api/queues/" + encode(environment.vhost()) + "/"
                    + BrokerDefinitions.CHATOPS_FEED).isPresent())
                    .as("the bot's queue in " + environment.name() + " (only behind a manual gate)").isEqualTo(gated);
        }
    }

    private static List<String> names(String body) {
        JsonNode all = JSON.readTree(body);
        return StreamSupport.stream(all.spliterator(), false).map(n -> n.path("name").asString()).toList();
    }

    private HttpResponse<String> get(String user, String path) throws Exception {
        return send(user, "GET", path, null);
    }

    private HttpResponse<String> post(String user, String path, String body) throws Exception {
        return send(user, "POST", path, body);
    }

    private HttpResponse<String> send(String user, String method, String path, String body) throws Exception {
        String password = pipeline.credentials().password(user);
        HttpRequest request = HttpRequest.newBuilder(URI.create(broker.managementUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String segment) {
        return ManagementClient.encode(segment);
    }
}
