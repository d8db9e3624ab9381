package io.stagecoach.approval;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalRefused.Reason;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.Release;
import io.stagecoach.events.SignedRequest;
import io.stagecoach.platform.slack.SlackAction;
import io.stagecoach.platform.slack.SlackSignature;

/**
 * Decisions taken by people Slack vouches for (ADR 42): a decision counts only with the person's click as Slack
 * signed it, and who decided, what and on which request are taken from that click, never from the name the
 * publisher asserts. So the chat bot's credential alone cannot decide: it would need the app's signing secret.
 *
 * @param signingSecret the Slack app's signing secret
 * @param people        Slack people ({@code <team id>/<user id>}) to the names approvers have in the environments
 *                      file; one name per person and one person per name
 * @param authors       release authors as CI names them to their Slack person, so that a person may not approve
 *                      their own release under another name
 * @param window        how far the click's Slack timestamp may be from the decision's time
 */
record SignedDecisions(String signingSecret, Map<String, String> people, Map<String, String> authors,
        Duration window) {

    SignedDecisions {
        if (signingSecret == null || signingSecret.isBlank()) {
            throw new IllegalArgumentException("stagecoach.approval.slack.signing-secret is empty: give the Slack "
                    + "app's signing secret (Basic Information, App Credentials)");
        }
        people = Map.copyOf(people);
        authors = Map.copyOf(authors);
        Map<String, String> byName = new LinkedHashMap<>();
        people.forEach((person, name) -> {
            if (!person.matches("[A-Z0-9]+/[A-Z0-9]+")) {
                throw new IllegalArgumentException("stagecoach.approval.slack.people: '" + person + "' is not a Slack "
                        + "person: write <team id>/<user id>, e.g. T1DC2JH3J/U2CERLKJA");
            }
            String other = byName.putIfAbsent(name, person);
            if (other != null) {
                // two people under one name would count as one approval, or one as two
                throw new IllegalArgumentException("stagecoach.approval.slack.people: " + other + " and " + person
                        + " are both '" + name + "'; give each person a name of their own");
            }
        });
    }

    /** The problem with {@code decision} as a person's verified click; empty when it is one. */
    Optional<ApprovalPolicy.Refusal> problem(CloudEvent<ApprovalDecided> decision, Release release,
            Collection<String> countedClicks, Instant now) {
        ApprovalDecided decided = decision.data();
        SignedRequest signed = decided.signed();
        if (signed == null) {
            return unverified("decision " + decision.id() + " carries no signed request: environment '"
                    + decided.environment() + "' takes decisions only from people Slack vouches for (its buttons)");
        }
        if (!SignedRequest.SLACK_V0.equals(signed.scheme())) {
            return unverified("decision " + decision.id() + " is signed by " + signed.scheme() + ", not "
                    + SignedRequest.SLACK_V0);
        }
        Instant decidedAt = decision.time() != null ? decision.time() : now;
        Optional<String> signature = SlackSignature.problem(signingSecret, signed.timestamp(), signed.body(),
                signed.signature(), decidedAt, window);
        if (signature.isPresent()) {
            return unverified("the signed request of decision " + decision.id() + " does not hold: "
                    + signature.get());
        }
        SlackAction click;
        try {
            click = SlackAction.parse(signed.body());
        } catch (IllegalArgumentException e) {
            return unverified("the signed request of decision " + decision.id() + " is not a click of a button: "
                    + e.getMessage());
        }
        String person = people.get(click.person());
        if (person == null) {
            return unverified("Slack user " + click.person() + (click.userName() == null ? "" : " (" + click.userName()
                    + ")") + " is not a person Stagecoach knows (stagecoach.approval.slack.people)");
        }
        if (!person.equals(decided.approver())) {
            return unverified("the decision names '" + decided.approver() + "', but " + click.person() + " ("
                    + person + ") clicked");
        }
        // the button's value: the request, then the release the person saw on the message
        String[] value = click.value().split(" ");
        if (!value[0].equals(decided.requestId())) {
            return unverified("the click was on request " + value[0] + ", the decision is on request "
                    + decided.requestId());
        }
        if (value.length >= 4 && !(value[1].equals(decided.service()) && value[2].equals(decided.version())
                && value[3].equals(decided.digest()))) {
            return unverified("the click was on " + value[1] + " " + value[2] + " (" + value[3] + "), the decision "
                    + "names " + decided.service() + " " + decided.version() + " (" + decided.digest() + ")");
        }
        String action = decided.decision() == ApprovalDecided.Decision.APPROVE ? SlackAction.APPROVE
                : SlackAction.REJECT;
        if (!click.actionId().equals(action) || decided.override()) {
            return unverified("the click was " + click.actionId() + ", the decision is "
                    + (decided.override() ? "an override" : decided.decision().name().toLowerCase(java.util.Locale.ROOT)));
        }
        if (countedClicks.contains(click.triggerId())) {
            return Optional.of(new ApprovalPolicy.Refusal(Reason.REPLAYED, "the click " + click.triggerId() + " of "
                    + person + " was already counted for request " + decided.requestId()));
        }
        String author = authors.get(release.author());
        if (click.person().equals(author)) {
            return Optional.of(new ApprovalPolicy.Refusal(Reason.SELF_APPROVAL, click.person() + " (" + person
                    + ") is " + release.author() + ", who authored " + release.service() + " " + release.version()
                    + ", and may not decide on it"));
        }
        return Optional.empty();
    }

    /** Slack's id of the click a decision carries, or null when it carries none that parses. */
    static String clickOf(ApprovalDecided decided) {
        if (decided.signed() == null) {
            return null;
        }
        try {
            return SlackAction.parse(decided.signed().body()).triggerId();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Optional<ApprovalPolicy.Refusal> unverified(String message) {
        return Optional.of(new ApprovalPolicy.Refusal(Reason.UNVERIFIED, message));
    }
}
