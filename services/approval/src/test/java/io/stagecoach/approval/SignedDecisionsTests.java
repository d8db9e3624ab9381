package io.stagecoach.approval;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalDecided.Decision;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.SignedRequest;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.slack.SlackAction;
import io.stagecoach.platform.slack.SlackSignature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.stagecoach.approval.ApprovalPolicyTests.CHATOPS;
import static io.stagecoach.approval.ApprovalPolicyTests.ENV;
import static io.stagecoach.approval.ApprovalPolicyTests.NOW;
import static io.stagecoach.approval.ApprovalPolicyTests.RELEASE;
import static io.stagecoach.approval.ApprovalPolicyTests.REQUEST_ID;
import static io.stagecoach.approval.ApprovalPolicyTests.RUN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Where people are verified by Slack (ADR 42), a decision counts only as its person's click as Slack signed it: the
 * chat bot's credential, which may publish decisions, cannot decide for anyone without the app's signing secret.
 * Each row is one way to try, with the credential that may publish decisions.
 */
class SignedDecisionsTests {

    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final SignedDecisions SIGNED = new SignedDecisions(SECRET,
            Map.of("T1/UALICE", "alice", "T1/UBOB", "bob", "T1/UJANE", "carol"), Map.of("jane", "T1/UJANE"),
            SlackSignature.WINDOW);
    static final Instant DECIDED_AT = NOW.minusSeconds(10);

    private final ApprovalPolicy policy = new ApprovalPolicy();

    /** A click on a button of the request's message, as Slack would post it. */
    record Click(String person, String action, String requestId, String trigger, Instant at, String secret) {

        static Click approve(String person, String trigger) {
            return new Click(person, SlackAction.APPROVE, REQUEST_ID, trigger, DECIDED_AT.minusSeconds(1), SECRET);
        }

        Click action(String other) {
            return new Click(person, other, requestId, trigger, at, secret);
        }

        Click on(String otherRequest) {
            return new Click(person, action, otherRequest, trigger, at, secret);
        }

        Click at(Instant other) {
            return new Click(person, action, requestId, trigger, other, secret);
        }

        Click signedWith(String other) {
            return new Click(person, action, requestId, trigger, at, other);
        }

        String body() {
            String team = person.substring(0, person.indexOf('/'));
            String user = person.substring(person.indexOf('/') + 1);
            String payload = """
                    {"type":"block_actions","user":{"id":"%s","username":"%s","team_id":"%s"},"api_app_id":"A02",\
                    "token":"Shh_its_a_seekrit","container":{"type":"message","message_ts":"1548261231.000200",\
                    "channel_id":"C0LAN2Q65","is_ephemeral":false},"trigger_id":"%s","team":{"id":"%s",\
                    "domain":"coolteam"},"channel":{"id":"C0LAN2Q65","name":"prod-approvals"},\
                    "response_url":"https://hooks.slack.com/actions/T1/1/abc","actions":[{"action_id":"%s",\
                    "block_id":"decide","text":{"type":"plain_text","text":"Approve"},"value":"%s","type":"button",\
                    "action_ts":"1548426417.840180"}]}""".formatted(user, user.toLowerCase(), team, trigger, team,
                    action, requestId);
            return "payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8);
        }

        SignedRequest signed() {
            String timestamp = String.valueOf(at.getEpochSecond());
            String body = body();
            return new SignedRequest(SignedRequest.SLACK_V0, timestamp, SlackSignature.sign(secret, timestamp, body),
                    body);
        }
    }

    /** A decision as the chat bot's credential publishes it: a name, a decision, and what it says was signed. */
    record Sent(String approver, Decision decision, SignedRequest signed) {

        static Sent of(String approver, Click click) {
            return new Sent(approver, Decision.APPROVE, click.signed());
        }

        static Sent unsigned(String approver) {
            return new Sent(approver, Decision.APPROVE, null);
        }

        Sent tampered(String from, String to) {
            return new Sent(approver, decision, new SignedRequest(signed.scheme(), signed.timestamp(),
                    signed.signature(), signed.body().replace(from, to)));
        }
    }

    private static int sent;

    static CloudEvent<ApprovalDecided> decision(Sent sentDecision) {
        ApprovalDecided decided = new ApprovalDecided(REQUEST_ID, RELEASE.service(), RELEASE.version(),
                RELEASE.digest(), ENV, sentDecision.decision(), sentDecision.approver(),
                sentDecision.decision() == Decision.REJECT ? "rejected in Slack" : null, false, sentDecision.signed());
        return CloudEvent.of(decided, "/stagecoach/prod/chatops", ENV, RUN, EventIds.derive(REQUEST_ID, "request"),
                EventIds.derive("signed decision", String.valueOf(++sent))).withTime(DECIDED_AT);
    }

    static Stream<Arguments> decisions() {
        Click alice = Click.approve("T1/UALICE", "t-alice-1");
        Click bob = Click.approve("T1/UBOB", "t-bob-1");
        return Stream.of(
                arguments("alice's click", 1, List.of(), Sent.of("alice", alice), "granted [alice]"),
                arguments("a name without a click", 1, List.of(), Sent.unsigned("alice"), "refused UNVERIFIED"),
                arguments("alice's click with bob's user put in", 1, List.of(),
                        Sent.of("bob", alice).tampered("UALICE", "UBOB"), "refused UNVERIFIED"),
                arguments("a click signed with another secret", 1, List.of(),
                        Sent.of("alice", alice.signedWith("not-the-apps-secret")), "refused UNVERIFIED"),
                arguments("a click signed six minutes before the decision", 1, List.of(),
                        Sent.of("alice", alice.at(DECIDED_AT.minus(Duration.ofMinutes(6)))), "refused UNVERIFIED"),
                arguments("a person Stagecoach does not know", 1, List.of(),
                        Sent.of("alice", Click.approve("T1/UMALLORY", "t-m")), "refused UNVERIFIED"),
                arguments("alice's click sent as bob's decision", 1, List.of(), Sent.of("bob", alice),
                        "refused UNVERIFIED"),
                arguments("alice's click on another request", 1, List.of(),
                        Sent.of("alice", alice.on(EventIds.derive("request", "2"))), "refused UNVERIFIED"),
                arguments("alice's Reject sent as an approval", 1, List.of(),
                        Sent.of("alice", alice.action(SlackAction.REJECT)), "refused UNVERIFIED"),
                arguments("the author clicks under another name", 1, List.of(),
                        Sent.of("carol", Click.approve("T1/UJANE", "t-jane")), "refused SELF_APPROVAL"),
                arguments("alice's click counted, sent again", 2, List.of(Sent.of("alice", alice)),
                        Sent.of("alice", alice), "refused REPLAYED"),
                arguments("alice, then bob", 2, List.of(Sent.of("alice", alice)), Sent.of("bob", bob),
                        "granted [alice, bob]"),
                arguments("one credential, two names: bob's vote without a click", 2, List.of(Sent.unsigned("bob")),
                        Sent.of("alice", alice), "vote [alice] of 2"),
                arguments("one credential, two names: alice's click as bob first", 2, List.of(Sent.of("bob", alice)),
                        Sent.of("alice", alice), "vote [alice] of 2"),
                arguments("alice clicks twice", 2, List.of(Sent.of("alice", alice)),
                        Sent.of("alice", Click.approve("T1/UALICE", "t-alice-2")), "vote [alice] of 2"),
                arguments("a rejection by bob's click", 1, List.of(),
                        new Sent("bob", Decision.REJECT, bob.action(SlackAction.REJECT).signed()), "rejected"));
    }

    @ParameterizedTest(name = "{0} -> {4}")
    @MethodSource("decisions")
    void countsOnlyPeoplesSignedClicks(String description, int minApprovals, List<Sent> earlier, Sent attempt,
            String expected) {
        ApprovalRules rules = ApprovalPolicyTests.rules(minApprovals).withSigned(SIGNED);
        EnvironmentLedger ledger = ApprovalPolicyTests.ledger(ApprovalPolicyTests.State.PENDING);
        earlier.forEach(vote -> ApprovalPolicyTests.apply(ledger, decision(vote), CHATOPS));
        CloudEvent<ApprovalDecided> decision = decision(attempt);
        ApprovalPolicyTests.apply(ledger, decision, CHATOPS);

        Verdict verdict = policy.decide(decision, CHATOPS, rules, ledger, NOW);

        assertThat(describe(verdict)).isEqualTo(expected);
        verdict.events().forEach(event -> assertThat(new EventCodec().encode(event)).isNotEmpty());
    }

    @Test
    void aRefusalSaysWhyInWordsAnOperatorCanActOn() {
        ApprovalRules rules = ApprovalPolicyTests.rules(1).withSigned(SIGNED);
        EnvironmentLedger ledger = ApprovalPolicyTests.ledger(ApprovalPolicyTests.State.PENDING);
        CloudEvent<ApprovalDecided> decision = decision(Sent.of("bob", Click.approve("T1/UALICE", "t-1")));
        ApprovalPolicyTests.apply(ledger, decision, CHATOPS);

        Verdict.Refused refused = (Verdict.Refused) policy.decide(decision, CHATOPS, rules, ledger, NOW);

        assertThat(refused.refusal().data().message()).isEqualTo("the decision names 'bob', but T1/UALICE (alice) "
                + "clicked");
    }

    @Test
    void oneNameForTwoPeopleIsRefusedAtStart() {
        assertThatThrownBy(() -> new SignedDecisions(SECRET, Map.of("T1/UA", "alice", "T1/UB", "alice"), Map.of(),
                SlackSignature.WINDOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("are both 'alice'");
        assertThatThrownBy(() -> new SignedDecisions(SECRET, Map.of("alice", "alice"), Map.of(),
                SlackSignature.WINDOW)).hasMessageContaining("<team id>/<user id>");
        assertThatThrownBy(() -> new SignedDecisions(" ", Map.of(), Map.of(), SlackSignature.WINDOW))
                .hasMessageContaining("signing-secret");
    }

    private static String describe(Verdict verdict) {
        return ApprovalPolicyTests.describe(verdict);
    }
}
