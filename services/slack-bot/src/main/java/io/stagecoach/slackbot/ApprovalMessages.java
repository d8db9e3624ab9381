package io.stagecoach.slackbot;

import java.util.List;

import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.Release;
import io.stagecoach.platform.slack.SlackAction;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** What the bot posts: a request that waits, with its buttons, and each request's outcome in its place. Pure. */
final class ApprovalMessages {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ApprovalMessages() {
    }

    /**
     * The value both buttons of a request carry, which comes back signed with a click: the request, the release the
     * person sees (service, version, digest: the approval service checks them against the decision), then the run
     * and the opening the decision is caused by.
     */
    static String buttonValue(CloudEvent<ApprovalOpened> opened) {
        Release release = opened.data().release();
        return String.join(" ", opened.data().requestId(), release.service(), release.version(), release.digest(),
                opened.correlationid(), opened.id());
    }

    /** The button value's parts: request, service, version, digest, run, opening. */
    static List<String> parts(String buttonValue) {
        List<String> parts = List.of(buttonValue.split(" "));
        if (parts.size() != 6) {
            throw new IllegalArgumentException("not the value of a Stagecoach button: " + buttonValue);
        }
        return parts;
    }

    static String headline(ApprovalOpened opened) {
        Release release = opened.release();
        return release.service() + " " + release.version() + " waits for approval into " + opened.environment();
    }

    /** The message of a request that waits: who built what, until when, and Approve and Reject. */
    static ObjectNode waiting(CloudEvent<ApprovalOpened> opened) {
        ApprovalOpened data = opened.data();
        Release release = data.release();
        String details = "*" + release.service() + " " + release.version() + "* waits for approval into *"
                + data.environment() + "*\nby " + release.author() + " · `" + release.image() + "@"
                + release.digest().substring(0, Math.min(release.digest().length(), 19)) + "…`"
                + (release.flags() == null ? "" : " · flags `" + release.flags().shortDigest() + "`")
                + "\nexpires " + data.expiresAt() + " · request `" + data.requestId() + "`";
        ObjectNode message = message(headline(data), details);
        ArrayNode elements = ((ArrayNode) message.get("blocks")).addObject().put("type", "actions")
                .put("block_id", "decide").putArray("elements");
        String value = buttonValue(opened);
        button(elements, SlackAction.APPROVE, "Approve", "primary", value);
        button(elements, SlackAction.REJECT, "Reject", "danger", value);
        return message;
    }

    /** The request's message once it ended: what happened, and no buttons. */
    static ObjectNode ended(String headline, CloudEvent<?> outcome) {
        String line = outcome(outcome);
        return message(line, line.contains(headline) ? line : headline + "\n" + line);
    }

    /** What ended a request, or what was refused, in one line. */
    static String outcome(CloudEvent<?> event) {
        if (event.data() instanceof ApprovalGranted granted) {
            return ":white_check_mark: *" + granted.release().service() + " " + granted.release().version()
                    + "* approved into " + granted.environment() + " by " + String.join(", ", granted.approvers())
                    + (granted.override() ? " (override: " + granted.overrideReason() + ")" : "");
        }
        if (event.data() instanceof ApprovalRejected rejected) {
            return ":x: *" + rejected.release().service() + " " + rejected.release().version() + "* rejected by "
                    + rejected.rejectedBy() + ": " + rejected.reason();
        }
        if (event.data() instanceof ApprovalExpired expired) {
            String why = switch (expired.reason()) {
                case EXPIRED -> "expired without a decision";
                case SUPERSEDED -> "superseded by " + expired.supersededBy();
                case WITHDRAWN -> "withdrawn: " + expired.message();
            };
            return ":hourglass: *" + expired.release().service() + " " + expired.release().version() + "* " + why;
        }
        if (event.data() instanceof ApprovalRefused refused) {
            return ":no_entry: a decision by " + refused.attemptedBy() + " was refused (" + refused.reason() + "): "
                    + refused.message();
        }
        return event.type();
    }

    private static ObjectNode message(String text, String markdown) {
        ObjectNode message = JSON.createObjectNode();
        message.put("text", text);
        message.putArray("blocks").addObject().put("type", "section").put("block_id", "release")
                .putObject("text").put("type", "mrkdwn").put("text", markdown);
        return message;
    }

    private static void button(ArrayNode elements, String actionId, String label, String style, String value) {
        ObjectNode button = elements.addObject().put("type", "button").put("action_id", actionId)
                .put("style", style).put("value", value);
        button.putObject("text").put("type", "plain_text").put("text", label);
    }
}
