package io.stagecoach.buildcompleted.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.buildcompleted.BuildDecision;
import io.stagecoach.buildcompleted.BuildDecision.AlreadyRegistered;
import io.stagecoach.buildcompleted.BuildDecision.Refuse;
import io.stagecoach.buildcompleted.BuildHandler;
import io.stagecoach.buildcompleted.BuildPolicy;
import io.stagecoach.buildcompleted.ReleaseRegistry;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.support.publish.EventPublisher;
import io.stagecoach.support.publish.PublishFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /builds}: CI announces a build over HTTP. The request carries a delivery id
 * ({@code X-Stagecoach-Delivery}, or {@code X-GitHub-Delivery}), the time of signing ({@code X-Stagecoach-Timestamp})
 * and the HMAC-SHA256 of both and the raw body ({@code X-Stagecoach-Signature}, see {@link Signatures}); the
 * timestamp must be within the {@link SignatureWindow} of this service's clock. The service then publishes the
 * {@code build.completed} itself, as its own user, under an event id derived from the delivery id, and its inbox
 * registers the release like any other build.
 *
 * <p>Replays: an id accepted before is refused while the ledger holds its event (the first environment's audit
 * stream, kept longer than twice the window; this process, a restarted one and a second replica read the same
 * stream). A signature older than the window is refused by its timestamp, so nothing older needs remembering. Two
 * replicas given the same delivery at the same moment may both publish it: one event id, so the inbox registers it
 * once.
 *
 * <p>The body is the plain build form, a {@code build.completed} CloudEvent, or a CDEvent announcing a build
 * ({@code artifact.published} or {@code build.finished}, see {@link CdEventBuilds}), bare (CloudEvents' binary mode,
 * its {@code ce-type} header checked against it) or as a structured CloudEvent's data.
 *
 * <p>The body is read only after the headers were checked, and never past {@link EventCodec#MAX_EVENT_BYTES}.
 *
 * <p>The answer is decided from the environment's ledger as its feed has read it, which opens no connection: a
 * build that conflicts with one published a moment earlier and not yet registered may get 202 and is then refused
 * by the inbox (its run ends with {@code promotion.blocked}), as it would have been before it reached the inbox.
 *
 * <p>Answers: 202 with the run id; 401 unsigned, wrongly signed or signed outside the window (nothing published);
 * 413 a body over the limit (the connection is closed); 409 a replayed delivery, or
 * a version already built with another digest; 400 an invalid body, naming each problem; 421 on an instance that
 * does not serve the first environment; 503 when the broker did not take the event.
 */
@RestController
class BuildWebhookController {

    static final String DELIVERY_HEADER = "X-Stagecoach-Delivery";
    static final String GITHUB_DELIVERY_HEADER = "X-GitHub-Delivery";

    /** Counter of webhook requests by outcome. */
    static final String REQUESTS_METER = "stagecoach.webhook.requests";

    private static final Logger log = LoggerFactory.getLogger(BuildWebhookController.class);
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** The string to sign and where, for the answers that refuse a signature. */
    static final String HOW_TO_SIGN = "sign \"v1\\n<" + Signatures.TIMESTAMP_HEADER + ">\\n<" + DELIVERY_HEADER
            + ">\\n<raw body>\" with HMAC-SHA256 into " + Signatures.HEADER + ": v1=<hex>";

    private final WebhookSecret secret;
    private final SignatureWindow window;
    private final DeliveryLog deliveries;
    private final BuildRequests requests;
    private final BuildHandler handler;
    private final ReleaseRegistry registry;
    private final EnvironmentLedger ledger;
    private final EventPublisher publisher;
    private final MeterRegistry meterRegistry;

    BuildWebhookController(WebhookSecret secret, SignatureWindow window, DeliveryLog deliveries, EventCodec codec,
            BuildHandler handler, ReleaseRegistry registry, EnvironmentLedger ledger, EventPublisher publisher,
            MeterRegistry meterRegistry) {
        this.secret = secret;
        this.window = window;
        this.deliveries = deliveries;
        this.requests = new BuildRequests(codec);
        this.handler = handler;
        this.registry = registry;
        this.ledger = ledger;
        this.publisher = publisher;
        this.meterRegistry = meterRegistry;
    }

    @PostMapping("/builds")
    ResponseEntity<Map<String, Object>> build(InputStream body,
            @RequestHeader(name = HttpHeaders.CONTENT_LENGTH, required = false) Long contentLength,
            @RequestHeader(name = Signatures.HEADER, required = false) String signature,
            @RequestHeader(name = Signatures.TIMESTAMP_HEADER, required = false) String timestamp,
            @RequestHeader(name = Signatures.BODY_ONLY_HEADER, required = false) String bodyOnlySignature,
            @RequestHeader(name = DELIVERY_HEADER, required = false) String delivery,
            @RequestHeader(name = GITHUB_DELIVERY_HEADER, required = false) String githubDelivery,
            @RequestHeader(name = "ce-type", required = false) String ceType) throws IOException {
        String deliveryId = delivery != null ? delivery : githubDelivery;
        if (!secret.isConfigured()) {
            return answer(HttpStatus.UNAUTHORIZED, "unauthorized", error("this webhook has no secret configured "
                    + "(STAGECOACH_WEBHOOK_SECRET): every request is refused"));
        }
        // what the signature covers is checked before a byte of the body is read
        if (signature == null || signature.isBlank()) {
            return refused(HttpStatus.UNAUTHORIZED, "unauthorized", deliveryId, "signature missing",
                    bodyOnlySignature != null ? Signatures.BODY_ONLY_HEADER + " (a signature of the body alone) is "
                            + "no longer accepted: " + HOW_TO_SIGN : Signatures.HEADER + " is missing: " + HOW_TO_SIGN);
        }
        if (!Signatures.isTimestamp(timestamp)) {
            return refused(HttpStatus.UNAUTHORIZED, "unauthorized", deliveryId, "timestamp missing or malformed",
                    Signatures.TIMESTAMP_HEADER + " must be the time of signing in Unix seconds: " + HOW_TO_SIGN);
        }
        if (deliveryId == null || !DELIVERY_ID.matcher(deliveryId).matches()) {
            return answer(HttpStatus.BAD_REQUEST, "invalid", problems(List.of(DELIVERY_HEADER + " (or "
                    + GITHUB_DELIVERY_HEADER + "): required, 1 to 128 of A-Z a-z 0-9 . _ : -")));
        }
        if (contentLength != null && contentLength > EventCodec.MAX_EVENT_BYTES) {
            return tooLarge(deliveryId);
        }
        Optional<byte[]> read = BoundedBody.read(body, EventCodec.MAX_EVENT_BYTES);
        if (read.isEmpty()) {
            return tooLarge(deliveryId);
        }
        byte[] raw = read.get();
        Signatures.Verdict verdict = Signatures.verify(secret.key(), timestamp, deliveryId, raw, signature);
        if (verdict != Signatures.Verdict.VALID) {
            return refused(HttpStatus.UNAUTHORIZED, "unauthorized", deliveryId,
                    "signature " + verdict.name().toLowerCase(Locale.ROOT), switch (verdict) {
                        case MALFORMED -> Signatures.HEADER + " must be v1=<64 hex digits>: " + HOW_TO_SIGN;
                        default -> Signatures.HEADER + " does not match: " + HOW_TO_SIGN;
                    });
        }
        Optional<String> outside = window.outside(timestamp);
        if (outside.isPresent()) {
            return refused(HttpStatus.UNAUTHORIZED, "expired", deliveryId, "timestamp outside the window",
                    outside.get());
        }
        if (!handler.servesFirstEnvironment()) {
            return answer(HttpStatus.MISDIRECTED_REQUEST, "misdirected", error("builds enter the pipeline in its "
                    + "first environment; this instance serves " + handler.environment()));
        }
        String eventId = EventIds.derive(EventType.BUILD_COMPLETED.type(), handler.environment(), "webhook-delivery",
                deliveryId);
        if (!deliveries.begin(deliveryId)) {
            return replayed(deliveryId, eventId);
        }
        boolean published = false;
        try {
            CloudEvent<BuildCompleted> build;
            try {
                build = requests.read(raw, handler.environment(), source(), eventId, ceType);
            } catch (InvalidEventException e) {
                return answer(HttpStatus.BAD_REQUEST, "invalid", problems(e.problems()));
            }
            // decided from the ledger as the feed has read it, without reading to the stream's end first (no
            // connection per request): the inbox decides the build again once its record is read, and that decision
            // is the one that counts (a conflicting build not handled yet is refused there, its run blocked)
            if (handler.seen(eventId)) {
                return replayed(deliveryId, eventId);
            }
            BuildDecision decision = handler.decide(build);
            if (decision instanceof Refuse refuse) {
                HttpStatus status = BuildPolicy.DIGEST_MISMATCH.equals(refuse.reasonTag()) ? HttpStatus.CONFLICT
                        : HttpStatus.BAD_REQUEST;
                return answer(status, "refused", error(refuse.reason()));
            }
            publisher.publish(build);
            published = true;
            deliveries.accepted(deliveryId);
            Release release = build.data().release();
            String runId = BuildPolicy.runId(release);
            log.info("Accepted build {} {} ({}) from delivery {} as event {}, run {}", release.service(),
                    release.version(), release.digest(), deliveryId, eventId, runId);
            Map<String, Object> accepted = new LinkedHashMap<>();
            accepted.put("status", "accepted");
            accepted.put("runId", runId);
            accepted.put("eventId", eventId);
            accepted.put("environment", handler.environment());
            accepted.put("release", release);
            accepted.put("alreadyRegistered", decision instanceof AlreadyRegistered);
            accepted.put("location", "/builds/" + runId);
            counter("accepted");
            return ResponseEntity.accepted().header("Location", "/builds/" + runId).body(accepted);
        } catch (PublishFailedException e) {
            log.warn("POST /builds delivery {} not accepted: {}", deliveryId, e.getMessage());
            return answer(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
                    error("the broker did not take the build, nothing was published; retry: " + e.getMessage()));
        } finally {
            if (!published) {
                deliveries.abandoned(deliveryId);
            }
        }
    }

    /** Where a run stands in this environment: registered (its promotion requested), running, verified. */
    @GetMapping("/builds/{runId}")
    ResponseEntity<Map<String, Object>> run(@PathVariable String runId) {
        return registry.run(runId).map(release -> {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("runId", runId);
            run.put("environment", handler.environment());
            run.put("release", release);
            run.put("promotionEventId", BuildPolicy.promotionId(runId, handler.environment(),
                    ledger.lastLift(release).map(EnvironmentLedger.Lift::eventId)));
            run.put("running", ledger.running(release.service())
                    .map(deployed -> deployed.release().sameBuildAs(release)).orElse(false));
            run.put("verified", ledger.isVerified(release));
            return ResponseEntity.ok(run);
        }).orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                .body(error("run " + runId + " is not registered (yet) in " + handler.environment())));
    }

    /** A refusal before anything was read or published: logged with the delivery and why, and counted. */
    private ResponseEntity<Map<String, Object>> refused(HttpStatus status, String outcome, String deliveryId,
            String why, String message) {
        // the id is not checked yet when the signature is refused: only a well-formed one goes into the log
        log.warn("Refused POST /builds (delivery {}): {}", loggable(deliveryId), why);
        return answer(status, outcome, error(message));
    }

    private ResponseEntity<Map<String, Object>> tooLarge(String deliveryId) {
        log.warn("Refused POST /builds (delivery {}): body over {} bytes, not read further", loggable(deliveryId),
                EventCodec.MAX_EVENT_BYTES);
        // the rest of the body is not read: the connection closes after the answer
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).header(HttpHeaders.CONNECTION, "close")
                .body(countAnd("too-large", error("the body is over " + EventCodec.MAX_EVENT_BYTES + " bytes")));
    }

    private static String loggable(String deliveryId) {
        return deliveryId != null && DELIVERY_ID.matcher(deliveryId).matches() ? deliveryId : "malformed or none";
    }

    private Map<String, Object> countAnd(String outcome, Map<String, Object> body) {
        counter(outcome);
        return body;
    }

    private ResponseEntity<Map<String, Object>> replayed(String deliveryId, String eventId) {
        log.warn("Refused POST /builds: delivery {} was accepted before (event {})", deliveryId, eventId);
        Map<String, Object> body = error("delivery " + deliveryId + " was accepted before: a replay is refused");
        body.put("eventId", eventId);
        return answer(HttpStatus.CONFLICT, "replayed", body);
    }

    private ResponseEntity<Map<String, Object>> answer(HttpStatus status, String outcome, Map<String, Object> body) {
        counter(outcome);
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(status);
        if (status == HttpStatus.UNAUTHORIZED) {
            builder.header("WWW-Authenticate", "HMAC-SHA256 header=\"" + Signatures.HEADER + "\"");
        }
        if (status == HttpStatus.SERVICE_UNAVAILABLE) {
            builder.header("Retry-After", "10");
        }
        return builder.body(body);
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        return body;
    }

    private static Map<String, Object> problems(List<String> problems) {
        Map<String, Object> body = error("invalid build");
        body.put("problems", problems);
        return body;
    }

    private String source() {
        return "/stagecoach/" + handler.environment() + "/build-completed/webhook";
    }

    private void counter(String outcome) {
        Counter.builder(REQUESTS_METER)
                .description("POST /builds requests by outcome")
                .tag("outcome", outcome)
                .register(meterRegistry)
                .increment();
    }
}
