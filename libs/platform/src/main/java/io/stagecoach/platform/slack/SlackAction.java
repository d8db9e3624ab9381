package io.stagecoach.platform.slack;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One click on a button of a Slack message, as Slack posts it to an app's interactivity URL: a form body whose
 * {@code payload} is the {@code block_actions} JSON. Who clicked is the signed payload's team and user, never a
 * name the app was told.
 *
 * @param teamId      the workspace ({@code team.id}, or the user's {@code team_id})
 * @param userId      the person ({@code user.id})
 * @param userName    the person's Slack name, for messages only
 * @param actionId    the button's {@code action_id}
 * @param value       the button's {@code value}
 * @param triggerId   Slack's id of this interaction, new for each click
 * @param responseUrl where the app may answer the click (valid 30 minutes)
 * @param channelId   the channel of the message clicked, or null
 * @param messageTs   the timestamp of the message clicked, or null
 */
public record SlackAction(String teamId, String userId, String userName, String actionId, String value,
        String triggerId, String responseUrl, String channelId, String messageTs) {

    /** The {@code action_id} of Stagecoach's Approve button. */
    public static final String APPROVE = "stagecoach-approve";
    /** The {@code action_id} of Stagecoach's Reject button. */
    public static final String REJECT = "stagecoach-reject";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The person, as Stagecoach's configuration names Slack people: {@code <team id>/<user id>}. */
    public String person() {
        return teamId + "/" + userId;
    }

    /**
     * The click in {@code body} (the raw form body Slack signed).
     *
     * @throws IllegalArgumentException saying what is missing, for a body that is not one click of a button
     */
    public static SlackAction parse(String body) {
        String payload = form(body).get("payload");
        if (payload == null) {
            throw new IllegalArgumentException("no payload field in the form body");
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(payload);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the payload is not JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !"block_actions".equals(tree.path("type").asString(""))) {
            throw new IllegalArgumentException("the payload is not a block_actions interaction (type "
                    + (tree == null ? "none" : tree.path("type").asString("none")) + ")");
        }
        JsonNode action = tree.path("actions").path(0);
        String teamId = text(tree.path("team").path("id"));
        if (teamId == null) {
            teamId = text(tree.path("user").path("team_id"));
        }
        SlackAction parsed = new SlackAction(teamId, text(tree.path("user").path("id")),
                text(tree.path("user").path("username")), text(action.path("action_id")), text(action.path("value")),
                text(tree.path("trigger_id")), text(tree.path("response_url")), text(tree.path("channel").path("id")),
                text(tree.path("container").path("message_ts")));
        for (Map.Entry<String, String> required : Map.of("team.id", nullToEmpty(parsed.teamId),
                "user.id", nullToEmpty(parsed.userId), "actions[0].action_id", nullToEmpty(parsed.actionId),
                "actions[0].value", nullToEmpty(parsed.value), "trigger_id", nullToEmpty(parsed.triggerId)).entrySet()) {
            if (required.getValue().isEmpty()) {
                throw new IllegalArgumentException("the payload has no " + required.getKey());
            }
        }
        return parsed;
    }

    /** The fields of an {@code application/x-www-form-urlencoded} body. */
    static Map<String, String> form(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return fields;
        }
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            fields.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                    URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return fields;
    }

    private static String text(JsonNode node) {
        return node.isString() && !node.asString().isBlank() ? node.asString() : null;
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
