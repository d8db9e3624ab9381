package io.stagecoach.slackbot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.SignedRequest;
import io.stagecoach.platform.slack.SlackAction;
import io.stagecoach.platform.slack.SlackSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Slack's interactivity URL: a click on Approve or Reject, checked as Slack signed it, becomes
 * {@code approval.decided} carrying the signed request itself, so the approval service can verify who clicked.
 * The answer comes as soon as the broker confirmed the decision (Slack waits 3 s); what the person sees next comes
 * through the click's {@code response_url}, and the request's outcome replaces its message.
 */
@RestController
class InteractionsController {

    private static final Logger log = LoggerFactory.getLogger(InteractionsController.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SlackBotProperties properties;
    private final ChatopsBroker broker;
    private final SlackApi slack;
    private final ExecutorService responses;
    private final Map<String, Instant> clicks = new ConcurrentHashMap<>();

    InteractionsController(SlackBotProperties properties, ChatopsBroker broker, SlackApi slack,
            ExecutorService responses) {
        this.properties = properties;
        this.broker = broker;
        this.slack = slack;
        this.responses = responses;
    }

    @PostMapping(path = "/slack/interactions", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<String> interact(@RequestBody byte[] raw,
            @RequestHeader(name = "X-Slack-Request-Timestamp", required = false) String timestamp,
            @RequestHeader(name = "X-Slack-Signature", required = false) String signature) {
        String body = new String(raw, StandardCharsets.UTF_8);
        Instant now = Instant.now();
        Optional<String> unsigned = SlackSignature.problem(properties.signingSecret(), timestamp, body, signature, now,
                properties.window());
        if (unsigned.isPresent()) {
            log.warn("Refused a request to the interactivity URL: {}", unsigned.get());
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body("not signed by Slack: " + unsigned.get());
        }
        SlackAction click;
        List<String> value;
        try {
            click = SlackAction.parse(body);
            value = ApprovalMessages.parts(click.value());
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(e.getMessage());
        }
        clicks.values().removeIf(at -> at.isBefore(now.minus(properties.window())));
        if (clicks.putIfAbsent(click.triggerId(), now) != null) {
            // Slack sent this click before: it was answered then
            return ResponseEntity.ok().build();
        }
        String person = properties.people().get(click.person());
        if (person == null) {
            answer(click, "You are not an approver Stagecoach knows (" + click.person() + "); nothing was recorded.");
            return ResponseEntity.ok().build();
        }
        ApprovalDecided.Decision decision = SlackAction.REJECT.equals(click.actionId())
                ? ApprovalDecided.Decision.REJECT : ApprovalDecided.Decision.APPROVE;
        ApprovalDecided decided = new ApprovalDecided(value.get(0), value.get(1), value.get(2), value.get(3),
                properties.environment(), decision, person,
                decision == ApprovalDecided.Decision.REJECT ? "rejected in Slack" : null, false,
                new SignedRequest(SignedRequest.SLACK_V0, timestamp, signature, body));
        CloudEvent<ApprovalDecided> event = CloudEvent.of(decided, "/stagecoach/" + properties.environment()
                + "/slack-bot", properties.environment(), value.get(4), value.get(5),
                EventIds.derive("slack click", click.person(), click.triggerId()));
        try {
            broker.publish(event);
        } catch (IOException | RuntimeException e) {
            clicks.remove(click.triggerId());
            log.warn("Could not record {}'s {} of request {}: {}", person, decision, value.get(0), e.getMessage());
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body("could not record the decision: "
                    + e.getMessage());
        }
        log.info("Recorded {}'s {} of {} {} (request {}, event {})", person, decision, value.get(1), value.get(2),
                value.get(0), event.id());
        answer(click, "Recorded your " + (decision == ApprovalDecided.Decision.REJECT ? "rejection" : "approval")
                + " of " + value.get(1) + " " + value.get(2) + "; the approval service decides, and this request's "
                + "message shows the outcome.");
        return ResponseEntity.ok().build();
    }

    /** Tells the person who clicked, and only them, through the click's response_url; after the answer. */
    private void answer(SlackAction click, String text) {
        if (click.responseUrl() == null) {
            return;
        }
        ObjectNode message = JSON.createObjectNode().put("response_type", "ephemeral").put("replace_original", false)
                .put("text", text);
        responses.submit(() -> {
            try {
                slack.respond(click.responseUrl(), message);
            } catch (IOException | RuntimeException e) {
                log.warn("Could not answer {}'s click: {}", click.person(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
