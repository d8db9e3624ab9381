package io.stagecoach.platform.environments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Decision table: one change to a valid file -> the one problem reported, with where, what and how to fix. */
class EnvironmentsValidationTests {

    static final String VALID = """
            services: [knative-lambda-builder]
            teams:
              sre-team: [alice, bob]
            decision-publishers: [chatops]
            environments:
              - name: dev
                vhost: dev
                gate: auto
                namespace: knative-lambda-dev
                audit-retention: 7d
              - name: staging
                vhost: staging
                gate: auto
                namespace: knative-lambda-staging
                audit-retention: 30d
              - name: prod
                vhost: prod
                gate: manual
                approvers: [sre-team]
                min-approvals: 1
                approval-ttl: 24h
                namespace: knative-lambda-prod
                audit-retention: 90d
            """;

    static Stream<Arguments> refusedChanges() {
        return Stream.of(
                row("unknown gate", "gate: manual", "gate: manuel",
                        "line 18: environment 'prod', field 'gate': unknown gate 'manuel'", "use auto or manual",
                        "did you mean 'manual'"),
                row("duplicate environment", "name: staging", "name: dev",
                        "line 11: environment 'dev', field 'name': name 'dev' is already used by environment 'dev' (line 6)",
                        "its own name"),
                row("vhost shared by two environments", "vhost: staging", "vhost: dev",
                        "line 12: environment 'staging', field 'vhost': vhost 'dev' is already used by environment 'dev' (line 7)",
                        "give each environment its own vhost"),
                row("namespace shared by two environments", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-staging",
                        "line 22: environment 'prod', field 'namespace': namespace 'knative-lambda-staging' is already used "
                                + "by environment 'staging' (line 14)", "its own namespace"),
                row("manual gate without approvers", "    approvers: [sre-team]\n", "",
                        "line 18: environment 'prod', field 'gate': gate manual needs approvers",
                        "add approvers: [<team>]", "(defined: sre-team)"),
                row("manual gate with an empty approver list", "approvers: [sre-team]", "approvers: []",
                        "line 19: environment 'prod', field 'approvers': gate manual needs approvers"),
                row("approver team not defined", "approvers: [sre-team]", "approvers: [sre-tem]",
                        "line 19: environment 'prod', field 'approvers': team 'sre-tem' is not defined under teams:",
                        "did you mean 'sre-team'"),
                row("approvers on an auto gate", "namespace: knative-lambda-staging",
                        "namespace: knative-lambda-staging\n    approvers: [sre-team]",
                        "line 15: environment 'staging', field 'approvers': 'approvers' applies to manual gates only",
                        "or set gate: manual"),
                row("first environment not auto", "gate: auto", "gate: manual\n    approvers: [sre-team]",
                        "line 8: environment 'dev', field 'gate': the first environment must have gate auto",
                        "set gate: auto"),
                row("typo in an environment key", "approval-ttl: 24h", "aproval-ttl: 24h",
                        "line 21: unknown field 'aproval-ttl' in environment 'prod'", "did you mean 'approval-ttl'"),
                row("typo in a top-level key", "decision-publishers:", "decision-publisher:",
                        "line 4: unknown field 'decision-publisher' at the top level",
                        "did you mean 'decision-publishers'", "line 18: environment 'prod', field 'gate': gate manual "
                                + "needs someone to publish approval decisions"),
                row("key given twice", "vhost: prod", "vhost: prod\n    vhost: prod2",
                        "line 18: field 'vhost' is given twice (first at line 17)"),
                row("duration that is not one", "audit-retention: 30d", "audit-retention: 30 days",
                        "line 15: environment 'staging', field 'audit-retention': '30 days' is not a duration",
                        "followed by s, m, h or d"),
                row("duration without a unit", "approval-ttl: 24h", "approval-ttl: 24",
                        "line 21: environment 'prod', field 'approval-ttl': '24' has no unit"),
                row("zero duration", "audit-retention: 7d", "audit-retention: 0d",
                        "line 10: environment 'dev', field 'audit-retention': a duration of zero"),
                row("more approvals needed than approvers exist", "min-approvals: 1", "min-approvals: 3",
                        "line 20: environment 'prod', field 'min-approvals': min-approvals is 3 but the approver teams "
                                + "[sre-team] have only 2 distinct people [alice, bob]",
                        "lower min-approvals to at most 2"),
                row("min-approvals below one", "min-approvals: 1", "min-approvals: 0",
                        "line 20: environment 'prod', field 'min-approvals': '0' is not a whole number of at least 1"),
                row("missing required field", "    namespace: knative-lambda-dev\n", "",
                        "line 6: environment 'dev': field 'namespace' is missing", "add it"),
                row("environment name with a dot", "name: staging", "name: stag.ing",
                        "line 11: environment 'stag.ing', field 'name': 'stag.ing' is not a valid environment name",
                        "no dots"),
                row("namespace that is not a DNS label", "namespace: knative-lambda-dev", "namespace: Knative_Dev",
                        "line 9: environment 'dev', field 'namespace': 'Knative_Dev' is not a valid namespace"),
                row("decision publisher that may not decide", "decision-publishers: [chatops]",
                        "decision-publishers: [ci]", "line 4: principal 'ci' may not publish approval decisions"),
                row("manual gate but nobody may decide", "decision-publishers: [chatops]", "decision-publishers: []",
                        "line 18: environment 'prod', field 'gate': gate manual needs someone to publish approval decisions"),
                row("no services", "services: [knative-lambda-builder]\n", "",
                        "field 'services' is missing", "list the services Stagecoach promotes"),
                row("team without members", "sre-team: [alice, bob]", "sre-team: []",
                        "line 3: team 'sre-team' has no members"),
                row("environments not a list", "environments:", "environments: {}\nold:",
                        "field 'environments' must be a list"),
                row("not YAML at all", "gate: auto", "gate: [auto",
                        "not valid YAML", "fix the indentation, quoting or brackets there"),
                row("typo in a cloud resource field", "namespace: knative-lambda-dev",
                        "namespace: knative-lambda-dev\n    image-repo: ghcr.io/acme/builder-dev",
                        "line 10: unknown field 'image-repo' in environment 'dev'", "did you mean 'image-repository'"),
                row("another name for the image repository", "namespace: knative-lambda-dev",
                        "namespace: knative-lambda-dev\n    registry: ghcr.io/acme/builder-dev",
                        "line 10: unknown field 'registry' in environment 'dev'", "did you mean 'image-repository'"),
                row("a role in camel case", "namespace: knative-lambda-dev",
                        "namespace: knative-lambda-dev\n    iamRole: arn:aws:iam::123456789012:role/dev",
                        "line 10: unknown field 'iamRole' in environment 'dev'", "did you mean 'iam-role'"),
                row("image repository with a tag", "namespace: knative-lambda-dev",
                        "namespace: knative-lambda-dev\n    image-repository: ghcr.io/acme/builder-dev:1.4.2",
                        "line 10: environment 'dev', field 'image-repository': 'ghcr.io/acme/builder-dev:1.4.2' carries a tag",
                        "name the repository alone", "e.g. ghcr.io/acme/knative-lambda-builder-dev"),
                row("image repository with a digest", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    image-repository: ghcr.io/acme/builder@sha256:abc",
                        "line 23: environment 'prod', field 'image-repository': 'ghcr.io/acme/builder@sha256:abc' carries a digest"),
                row("image repository in upper case", "namespace: knative-lambda-dev",
                        "namespace: knative-lambda-dev\n    image-repository: ghcr.io/Acme/Builder",
                        "line 10: environment 'dev', field 'image-repository': 'ghcr.io/Acme/Builder' has upper-case letters"),
                row("bucket that is not a bucket name", "namespace: knative-lambda-staging",
                        "namespace: knative-lambda-staging\n    bucket: Artifacts Staging",
                        "line 15: environment 'staging', field 'bucket': 'Artifacts Staging' is not a bucket name",
                        "s3://<bucket>/<prefix>", "e.g. knative-lambda-artifacts-staging"),
                row("bucket without a value", "namespace: knative-lambda-staging",
                        "namespace: knative-lambda-staging\n    bucket:",
                        "line 15: environment 'staging', field 'bucket': has no value", "or remove the line"),
                row("bucket that is a number", "namespace: knative-lambda-staging",
                        "namespace: knative-lambda-staging\n    bucket: 42",
                        "line 15: environment 'staging', field 'bucket': must be text, not a number"),
                row("role that is a bare name", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    iam-role: stagecoach-prod",
                        "line 23: environment 'prod', field 'iam-role': 'stagecoach-prod' is not a role",
                        "arn:aws:iam::123456789012:role/stagecoach-prod", "iam.gserviceaccount.com"),
                row("role ARN with a short account", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    iam-role: arn:aws:iam::1234:role/stagecoach-prod",
                        "line 23: environment 'prod', field 'iam-role': 'arn:aws:iam::1234:role/stagecoach-prod' is not a role"),
                row("freeze in an unknown time zone", "namespace: knative-lambda-prod", "namespace: knative-lambda-prod"
                                + "\n    freeze: {time-zone: Europe/Berlim, weekly: [\"Fri 16:00 - Mon 08:00\"]}",
                        "line 23: environment 'prod', field 'freeze': 'Europe/Berlim' is not a time zone",
                        "e.g. Europe/Berlin"),
                row("weekly window without its end", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    freeze: {weekly: [\"Fri 16:00\"]}",
                        "line 23: environment 'prod', field 'freeze', weekly 'Fri 16:00' is not a weekly window",
                        "\"Fri 16:00 - Mon 08:00\""),
                row("weekly window on a day that is none", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    freeze: {weekly: [\"Fry 16:00 - Mon 08:00\"]}",
                        "'Fry' is not a day of the week", "Mon, Tue"),
                row("weekly window at 25 o'clock", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    freeze: {weekly: [\"Fri 25:00 - Mon 08:00\"]}",
                        "'25:00' is not a time of day", "24-hour clock"),
                row("weekly window that ends where it starts", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    freeze: {weekly: [\"Fri 16:00 - Fri 16:00\"]}",
                        "starts where it ends"),
                row("dates backwards", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    freeze: {dates: [\"2027-01-01 - 2026-12-24\"]}",
                        "dates '2027-01-01 - 2026-12-24' ends before it starts", "\"2026-12-24 - 2027-01-01\""),
                row("a day that does not exist", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    freeze: {dates: [\"2026-02-30\"]}",
                        "names a day that does not exist"),
                row("freeze without a window", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    freeze: {time-zone: UTC}",
                        "line 23: environment 'prod', field 'freeze' declares no window"),
                row("soak without a unit", "namespace: knative-lambda-dev", "namespace: knative-lambda-dev\n    soak: 30",
                        "line 10: environment 'dev', field 'soak': '30' has no unit", "e.g. 24h or 30d"),
                row("typo in a freeze key", "namespace: knative-lambda-prod",
                        "namespace: knative-lambda-prod\n    freeze: {weekley: [\"Fri 16:00 - Mon 08:00\"]}",
                        "unknown field 'weekley' in environment 'prod', field 'freeze'", "did you mean 'weekly'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedChanges")
    void refusesTheChangeNamingWhereWhatAndHowToFix(String change, String from, String to, List<String> expected) {
        String yaml = VALID.replaceFirst(Pattern.quote(from), Matcher.quoteReplacement(to));
        assertThat(yaml).as("the row changes the file").isNotEqualTo(VALID);

        InvalidEnvironmentsException e = catchThrowableOfType(InvalidEnvironmentsException.class,
                () -> Environments.parse(yaml, "environments.yaml"));

        assertThat(e).as(change + " is refused").isNotNull();
        assertThat(e.getMessage()).startsWith("Invalid environments file environments.yaml: ");
        expected.forEach(fragment -> assertThat(e.problems()).as(change)
                .anySatisfy(problem -> assertThat(problem).contains(fragment)));
    }

    @Test
    void theValidFileOfTheTableIsAccepted() {
        assertThat(Environments.parse(VALID, "environments.yaml").all()).hasSize(3);
    }

    @Test
    void reportsEveryProblemAtOnceInFileOrder() {
        String yaml = VALID.replace("gate: manual", "gate: manuel")
                .replace("vhost: staging", "vhost: dev")
                .replace("audit-retention: 7d", "audit-retention: 7 days")
                .replace("min-approvals: 1", "min-approvals: 1\n    min-aprovals: 2");

        InvalidEnvironmentsException e = catchThrowableOfType(InvalidEnvironmentsException.class,
                () -> Environments.parse(yaml, "/etc/stagecoach/environments.yaml"));

        assertThat(e.problems()).hasSize(4);
        assertThat(e.problems()).extracting(p -> p.substring(0, p.indexOf(':')))
                .containsExactly("line 10", "line 12", "line 18", "line 21");
        assertThat(e.getMessage()).startsWith("Invalid environments file /etc/stagecoach/environments.yaml: 4 problems");
        assertThat(e.source()).isEqualTo("/etc/stagecoach/environments.yaml");
    }

    @Test
    void eachProblemCarriesItsLineWhatAndFixApart() {
        String yaml = VALID.replace("gate: manual", "gate: manuel");

        InvalidEnvironmentsException e = catchThrowableOfType(InvalidEnvironmentsException.class,
                () -> Environments.parse(yaml, "environments.yaml"));

        assertThat(e.details()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(18);
            assertThat(problem.what()).isEqualTo("environment 'prod', field 'gate': unknown gate 'manuel'");
            assertThat(problem.fix()).isEqualTo("use auto or manual (did you mean 'manual'?)");
        });
        assertThat(e.problems()).containsExactly(
                "line 18: environment 'prod', field 'gate': unknown gate 'manuel'; use auto or manual (did you mean 'manual'?)");
    }

    @Test
    void anEmptyFileIsRefusedWithWhatItNeeds() {
        assertThatThrownBy(() -> Environments.parse("", "empty.yaml"))
                .isInstanceOf(InvalidEnvironmentsException.class)
                .hasMessageContaining("empty.yaml")
                .hasMessageContaining("the file is empty");
    }

    private static Arguments row(String change, String from, String to, String... expected) {
        return Arguments.of(change, from, to, List.of(expected));
    }
}
