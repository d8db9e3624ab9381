package io.stagecoach.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import com.rabbitmq.client.GetResponse;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.support.app.InboxTestApplication;
import io.stagecoach.support.app.PromotionRequestedListener;
import io.stagecoach.support.app.ReleaseWithdrawnListener;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.listener.MessageListenerContainer;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The promotion service's inbox in dev, on a real broker: what is refused, what is retried, what is handled,
 * and what operations see of it.
 */
@RealPipeline
@SpringBootTest(classes = InboxTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "spring.rabbitmq.listener.simple.retry.max-retries=2",
                "spring.rabbitmq.listener.simple.retry.initial-interval=50ms",
                "spring.rabbitmq.listener.simple.retry.multiplier=1",
        })
@DirtiesContext
class InboxIntegrationTests {

    private static final String INBOX = PromotionRequestedListener.INBOX;
    private static final String DEAD_LETTERS = BrokerNames.deadLetterQueue(INBOX);
    private static final String ROUTING_KEY = "promotion.requested.dev";

    static TestBroker broker;
    static TestPipeline fixture;

    @Autowired
    PromotionRequestedListener listener;

    @Autowired
    MeterRegistry meterRegistry;

    @Autowired
    CachingConnectionFactory connectionFactory;

    @LocalServerPort
    int port;

    private final EventCodec codec = new EventCodec();

    @DynamicPropertySource
    static void runAsPromotionInDev(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "dev", "promotion");
    }

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    @Test
    void theListenerOfAnInboxDevDoesNotHaveStaysStoppedAndTheOthersRun() {
        assertThat(listeners.getListenerContainer(ReleaseWithdrawnListener.ID).isRunning()).isFalse();
        assertThat(listeners.getListenerContainers()).filteredOn(c -> c != listeners.getListenerContainer(
                ReleaseWithdrawnListener.ID)).isNotEmpty().allMatch(MessageListenerContainer::isRunning);
    }

    private String buildCompletedUser() {
        return fixture.environment("dev").vhost() + "-build-completed";
    }

    @Test
    void deadLettersASchemaInvalidEventWithItsProblemsAndStillHandlesTheNextValidOne() throws Exception {
        CloudEvent<PromotionRequested> valid = TestEvents.buildPromotion("dev", "1.0.0");
        String broken = new String(codec.encode(valid), StandardCharsets.UTF_8)
                .replace("sha256:4d3e9a", "md5:4d3e9a");

        fixture.as("dev", buildCompletedUser()).publish(ROUTING_KEY, "broken-1",
                broken.getBytes(StandardCharsets.UTF_8));
        GetResponse deadLetter = fixture.awaitMessage("dev", DEAD_LETTERS, "broken-1");

        Map<String, Object> headers = deadLetter.getProps().getHeaders();
        assertThat(header(headers, BrokerNames.REASON_HEADER)).startsWith("invalid event:").contains("digest");
        assertThat(header(headers, BrokerNames.ORIGINAL_QUEUE_HEADER)).isEqualTo(INBOX);
        assertThat(header(headers, BrokerNames.ORIGINAL_ROUTING_KEY_HEADER)).isEqualTo(ROUTING_KEY);
        assertThat(header(headers, BrokerNames.ORIGINAL_EXCHANGE_HEADER)).isEqualTo(BrokerNames.EVENTS_EXCHANGE);
        assertThat(header(headers, BrokerNames.ORIGINAL_USER_HEADER)).isEqualTo(buildCompletedUser());
        assertThat(deadLetter.getProps().getMessageId()).isEqualTo("broken-1");
        assertThat(new String(deadLetter.getBody(), StandardCharsets.UTF_8)).isEqualTo(broken);

        fixture.as("dev", buildCompletedUser()).publish(ROUTING_KEY, valid.id(), codec.encode(valid));
        await().atMost(Duration.ofSeconds(20)).until(() -> listener.wasHandled(valid.id()));
        assertThat(listener.attempts(valid.id())).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.messagesIn("dev", INBOX) == 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "text that is not JSON, payload is not JSON",
            "an oversized payload, over the 262144-byte limit",
            "an unknown event type, is not a known event type"})
    void deadLettersMalformedPayloadsWithTheReasonAndHandlesNothing(String what, String reason) throws Exception {
        CloudEvent<PromotionRequested> valid = TestEvents.buildPromotion("dev", "1.0.9");
        String json = new String(codec.encode(valid), StandardCharsets.UTF_8);
        String body = switch (what) {
            case "text that is not JSON" -> "build 1.0.9 is done, please deploy";
            case "an oversized payload" -> json.replace("\"specversion\"", "\"padding\":\"" + "x".repeat(300_000)
                    + "\",\"specversion\"");
            default -> json.replace("io.stagecoach.promotion.requested.v1", "io.stagecoach.promotion.teleported.v1");
        };
        String messageId = "malformed-" + what.hashCode();

        fixture.as("dev", buildCompletedUser()).publish(ROUTING_KEY, messageId,
                body.getBytes(StandardCharsets.UTF_8));
        GetResponse deadLetter = fixture.awaitMessage("dev", DEAD_LETTERS, messageId);

        assertThat(header(deadLetter.getProps().getHeaders(), BrokerNames.REASON_HEADER)).contains(reason);
        assertThat(deadLetter.getBody()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        assertThat(listener.attempts(valid.id())).isZero();
    }

    @Test
    void deadLettersAnEventWithoutUserIdUnhandled() throws Exception {
        CloudEvent<PromotionRequested> event = TestEvents.buildPromotion("dev", "1.0.1");

        fixture.as("dev", buildCompletedUser()).withoutUserId().publish(ROUTING_KEY, event.id(), codec.encode(event));
        GetResponse deadLetter = fixture.awaitMessage("dev", DEAD_LETTERS, event.id());

        assertThat(header(deadLetter.getProps().getHeaders(), BrokerNames.REASON_HEADER))
                .contains(event.id()).contains("has no user_id");
        assertThat(deadLetter.getProps().getHeaders()).doesNotContainKey(BrokerNames.ORIGINAL_USER_HEADER);
        assertThat(listener.attempts(event.id())).isZero();
    }

    @Test
    void deadLettersAnEventFromAPublisherNotExpectedForItsTypeUnhandled() throws Exception {
        CloudEvent<PromotionRequested> forged = TestEvents.buildPromotion("dev", "1.0.2");

        // the administrator may write anything into the exchange, but is nobody a consumer trusts
        fixture.asAdministrator("dev").publish(ROUTING_KEY, forged.id(), codec.encode(forged));
        GetResponse deadLetter = fixture.awaitMessage("dev", DEAD_LETTERS, forged.id());

        assertThat(header(deadLetter.getProps().getHeaders(), BrokerNames.REASON_HEADER))
                .contains("published by '" + fixture.adminUser() + "'")
                .contains(buildCompletedUser());
        assertThat(header(deadLetter.getProps().getHeaders(), BrokerNames.ORIGINAL_USER_HEADER))
                .isEqualTo(fixture.adminUser());
        assertThat(listener.attempts(forged.id())).isZero();
        assertThat(meterRegistry.get(io.stagecoach.support.inbound.InboundEvents.REFUSED_METER)
                .tag("type", "promotion.requested").tag("reason", "unexpected-publisher").counter().count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void deadLettersAnEventAddressedToAnotherEnvironmentUnhandled() throws Exception {
        CloudEvent<PromotionRequested> elsewhere = TestEvents.buildPromotion("staging", "1.0.6");

        fixture.as("dev", buildCompletedUser()).publish(ROUTING_KEY, elsewhere.id(), codec.encode(elsewhere));
        GetResponse deadLetter = fixture.awaitMessage("dev", DEAD_LETTERS, elsewhere.id());

        assertThat(header(deadLetter.getProps().getHeaders(), BrokerNames.REASON_HEADER))
                .contains("addressed to environment 'staging', this is 'dev'");
        assertThat(listener.attempts(elsewhere.id())).isZero();
    }

    @Test
    void retriesAFailingHandlerThenDeadLettersWithTheExceptionMessage() throws Exception {
        CloudEvent<PromotionRequested> event = TestEvents.buildPromotion("dev", "1.0.3-unreachable");

        fixture.as("dev", buildCompletedUser()).publish(ROUTING_KEY, event.id(), codec.encode(event));
        GetResponse deadLetter = fixture.awaitMessage("dev", DEAD_LETTERS, event.id());

        assertThat(header(deadLetter.getProps().getHeaders(), BrokerNames.REASON_HEADER))
                .isEqualTo("handler failed: IllegalStateException: deploy target unreachable while deploying "
                        + "1.0.3-unreachable");
        assertThat(listener.attempts(event.id())).isEqualTo(3);
        assertThat(listener.wasHandled(event.id())).isFalse();
        assertThat(deadLetter.getProps().getMessageId()).isEqualTo(event.id());
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.messagesIn("dev", INBOX) == 0);
        assertThat(meterRegistry.get(io.stagecoach.support.inbound.DeadLetters.DEAD_LETTERS_METER)
                .tag("queue", INBOX).tag("reason", "failed").counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void sendsADeliveryWhoseHandlerCouldNotReachTheBrokerBackToItsInboxNeverToTheDeadLetters() throws Exception {
        CloudEvent<PromotionRequested> event = TestEvents.buildPromotion("dev", "1.0.6-outage");

        fixture.as("dev", buildCompletedUser()).publish(ROUTING_KEY, event.id(), codec.encode(event));
        // three attempts per delivery: a fourth attempt is a second delivery of the same message
        await().atMost(Duration.ofSeconds(20)).until(() -> listener.attempts(event.id()) > 3);
        listener.reachAgain("1.0.6-outage");

        await().atMost(Duration.ofSeconds(20)).until(() -> listener.wasHandled(event.id()));
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.messagesIn("dev", INBOX) == 0);
        assertThat(fixture.messagesIn("dev", DEAD_LETTERS)).isZero();
        assertThat(meterRegistry.get(io.stagecoach.support.inbound.DeadLetteringRecoverer.REQUEUED_METER)
                .tag("queue", INBOX).counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void deadLettersAnOutageOnItsLastDeliveryWithTheReasonRatherThanLetTheBrokerDropIt() throws Exception {
        CloudEvent<PromotionRequested> event = TestEvents.buildPromotion("dev", "1.0.7-outage");

        fixture.as("dev", buildCompletedUser()).publish(ROUTING_KEY, event.id(), codec.encode(event));
        GetResponse deadLetter = fixture.awaitMessage("dev", DEAD_LETTERS, event.id());

        assertThat(header(deadLetter.getProps().getHeaders(), BrokerNames.REASON_HEADER))
                .startsWith("handler failed: PublishFailedException: the broker did not take the decision on 1.0.7")
                .endsWith("(still unreachable after " + (BrokerNames.DELIVERY_LIMIT + 1) + " deliveries)");
        assertThat(listener.attempts(event.id())).isEqualTo(3 * (BrokerNames.DELIVERY_LIMIT + 1));
        assertThat(listener.wasHandled(event.id())).isFalse();
    }

    @Test
    void everyMeterCarriesTheEnvironmentAndPrometheusServesThem() throws Exception {
        CloudEvent<PromotionRequested> event = TestEvents.buildPromotion("dev", "1.0.4");
        fixture.as("dev", buildCompletedUser()).withoutUserId().publish(ROUTING_KEY, event.id(), codec.encode(event));
        fixture.awaitMessage("dev", DEAD_LETTERS, event.id());

        assertThat(meterRegistry.getMeters()).isNotEmpty()
                .allSatisfy(meter -> assertThat(meter.getId().getTag("environment")).as(name(meter)).isEqualTo("dev"));

        HttpResponse<String> prometheus = get("/actuator/prometheus");
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).containsPattern("stagecoach_dead_letters_total\\{[^}]*environment=\"dev\"")
                .containsPattern("stagecoach_events_refused_total\\{[^}]*reason=\"missing-user-id\"");
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    }

    @Test
    void isNotReadyWhileTheBrokerIsUnreachableAndRecovers() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/actuator/health/readiness").statusCode() == 200);

        fixture.disconnect("dev");
        // the broker's connection list lags, so the service's own connections are dropped too
        connectionFactory.resetConnection();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> get("/actuator/health/readiness").statusCode() == 503);
            assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        }
        finally {
            fixture.reconnect("dev");
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        CloudEvent<PromotionRequested> event = TestEvents.buildPromotion("dev", "1.0.5");
        fixture.as("dev", buildCompletedUser()).publish(ROUTING_KEY, event.id(), codec.encode(event));
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.wasHandled(event.id()));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String name(Meter meter) {
        return meter.getId().getName();
    }

    private static String header(Map<String, Object> headers, String name) {
        Object value = headers.get(name);
        return value == null ? null : value.toString();
    }

}
