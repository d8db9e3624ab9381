package io.stagecoach.platform.environments;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.InvalidEnvironmentsException.Problem;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads {@code environments.yaml} into {@link Environments}, collecting every problem (with its line)
 * before refusing the file, so a user fixes them all in one go.
 */
final class EnvironmentsParser {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** No dots: the name is the last word of routing keys ({@code smoketest.passed.<name>}). */
    static final Pattern ENVIRONMENT_NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    static final Pattern VHOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Kubernetes namespaces are DNS labels (RFC 1123). */
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    static final Pattern TEAM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})([smhd])");
    /** S3 and GCS bucket names, alone or as {@code s3://<bucket>/<prefix>} / {@code gs://<bucket>/<prefix>}. */
    static final Pattern BUCKET = Pattern.compile("(?:(?:s3|gs)://)?[a-z0-9][a-z0-9._-]{1,61}[a-z0-9](?:/\\S*)?");
    static final Pattern AWS_ROLE_ARN = Pattern.compile("arn:aws(?:-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}");
    static final Pattern GCP_SERVICE_ACCOUNT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]"
            + "\\.iam\\.gserviceaccount\\.com");
    static final Pattern AZURE_CLIENT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** An OCI repository: optional registry host (and port), then lower-case path components; no tag, no digest. */
    static final Pattern IMAGE_REPOSITORY = Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
            + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?"
            + "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");

    private static final List<String> TOP_KEYS = List.of("services", "teams", "decision-publishers", "environments");
    private static final List<String> ENVIRONMENT_KEYS = List.of("name", "vhost", "gate", "namespace",
            "audit-retention", "approvers", "min-approvals", "approval-ttl", "image-repository", "image-retention",
            "bucket", "iam-role", "gitops-repository", "gitops-branch", "deploy-target", "freeze", "soak");
    private static final List<String> FREEZE_KEYS = List.of("time-zone", "weekly", "dates");
    private static final Pattern WEEKLY = Pattern.compile("(?i)([a-z]+)\\s+(\\d{1,2}:\\d{2}(?::\\d{2})?)\\s*-\\s*"
            + "([a-z]+)\\s+(\\d{1,2}:\\d{2}(?::\\d{2})?)");
    private static final Pattern DATES = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})(?:\\s*-\\s*(\\d{4}-\\d{2}-\\d{2}))?");
    private static final List<String> MANUAL_ONLY_KEYS = List.of("approvers", "min-approvals", "approval-ttl");
    private static final Duration DEFAULT_APPROVAL_TTL = Duration.ofHours(24);
    /** Names people reach for that spelling alone does not lead to. */
    private static final Map<String, String> SYNONYMS = Map.of("registry", "image-repository", "repository",
            "image-repository", "image", "image-repository", "role", "iam-role", "role-arn", "iam-role",
            "service-account", "iam-role", "storage-bucket", "bucket");

    private static final String VHOST_RULE = "use letters, digits, '.', '_' or '-' (at most 64, starting with a letter "
            + "or digit), e.g. the environment's name";
    private static final String NAMESPACE_RULE = "a Kubernetes namespace is lower-case letters, digits and '-', "
            + "at most 63, starting and ending with a letter or digit, e.g. knative-lambda-dev";

    private final String source;
    private final Map<String, Integer> lines = new HashMap<>();
    private final List<Problem> problems = new ArrayList<>();

    EnvironmentsParser(String source) {
        this.source = source;
    }

    /** What one list entry said, as far as it could be read; the cross-environment checks use it. */
    private static final class Draft {
        final String pointer;
        String label;
        String name;
        String vhost;
        Gate gate;
        String namespace;
        Duration auditRetention;
        List<String> approvers = List.of();
        Integer minApprovals;
        Duration approvalTtl;
        Optional<String> imageRepository = Optional.empty();
        Optional<Duration> imageRetention = Optional.empty();
        Optional<String> bucket = Optional.empty();
        Optional<String> iamRole = Optional.empty();
        Optional<String> gitopsRepository = Optional.empty();
        Optional<String> gitopsBranch = Optional.empty();
        Optional<String> deployTarget = Optional.empty();
        FreezeSchedule freeze = FreezeSchedule.NONE;
        Duration soak = Duration.ZERO;

        Draft(int index) {
            this.pointer = "/environments/" + index;
            this.label = "environments[" + index + "]";
        }
    }

    Environments parse(String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
            indexLines(text);
        } catch (JacksonException e) {
            throw InvalidEnvironmentsException.of(source, List.of(syntaxProblem(e)));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw InvalidEnvironmentsException.of(source, List.of(new Problem(0, "the file is empty", "it needs "
                    + "services:, teams:, decision-publishers: and environments: (see deploy/environments.yaml for the default)")));
        }
        if (!root.isObject()) {
            throw InvalidEnvironmentsException.of(source, List.of(new Problem(0, "the top level must be a mapping with "
                    + "services:, teams:, decision-publishers: and environments:, not a " + kind(root),
                    "write one 'key: value' per line, starting at the first column")));
        }
        unknownKeys(root, "", "at the top level", TOP_KEYS);
        List<String> services = services(root.get("services"));
        Map<String, List<String>> teams = teams(root.get("teams"));
        List<String> decisionPublishers = decisionPublishers(root.get("decision-publishers"));
        List<Draft> drafts = environments(root.get("environments"), teams);
        crossChecks(drafts, decisionPublishers);
        if (!problems.isEmpty()) {
            throw InvalidEnvironmentsException.of(source, problems.stream()
                    .sorted(Comparator.comparingInt(Problem::line)).toList());
        }
        List<Environment> environments = drafts.stream().map(d -> new Environment(d.name, d.vhost, d.gate,
                d.namespace, d.auditRetention, d.approvers, d.minApprovals, d.approvalTtl,
                new CloudResources(d.imageRepository, d.bucket, d.iamRole, d.gitopsRepository, d.gitopsBranch,
                        d.deployTarget, d.imageRetention), d.freeze, d.soak)).toList();
        return new Environments(source, environments, teams, decisionPublishers, services);
    }

    /** Checks of names that a vhost prefix could break (used again by {@link Environments#withVhostPrefix}). */
    static List<String> namesProblems(Environments environments) {
        List<String> found = new ArrayList<>();
        for (Environment e : environments.all()) {
            if (!VHOST.matcher(e.vhost()).matches()) {
                found.add("environment '" + e.name() + "', vhost '" + e.vhost() + "': " + VHOST_RULE);
            }
            if (!DNS_LABEL.matcher(e.namespace()).matches()) {
                found.add("environment '" + e.name() + "', namespace '" + e.namespace() + "': " + NAMESPACE_RULE);
            }
        }
        return found;
    }

    // ---- top-level sections

    private List<String> services(JsonNode node) {
        if (node == null || node.isNull()) {
            add("/services", "field 'services' is missing", "list the services Stagecoach promotes, "
                    + "e.g. services: [knative-lambda-builder]", "");
            return List.of();
        }
        List<String> services = stringList(node, "/services", "field 'services'");
        if (node.isArray() && services.isEmpty() && node.isEmpty()) {
            add("/services", "field 'services' is empty", "list at least one service, e.g. [knative-lambda-builder]", "");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < services.size(); i++) {
            String service = services.get(i);
            if (!DNS_LABEL.matcher(service).matches()) {
                add("/services/" + i, "service '" + service + "' is not a valid name",
                        "use lower-case letters, digits and '-' (a Kubernetes name), e.g. knative-lambda-builder", "");
            } else if (!seen.add(service)) {
                add("/services/" + i, "service '" + service + "' is listed twice", "list each service once", "");
            }
        }
        return services;
    }

    private Map<String, List<String>> teams(JsonNode node) {
        Map<String, List<String>> teams = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return teams;
        }
        if (!node.isObject()) {
            add("/teams", "field 'teams' must be a mapping of team name to people, not a " + kind(node),
                    "write e.g. teams: {sre-team: [alice, bob]}", "");
            return teams;
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String team = entry.getKey();
            String pointer = "/teams/" + escape(team);
            String where = "team '" + team + "'";
            if (!TEAM.matcher(team).matches()) {
                add(pointer, where + " has an invalid name", "use letters, digits, '.', '_' or '-'", "");
                continue;
            }
            List<String> people = stringList(entry.getValue(), pointer, where);
            if (people.isEmpty() && entry.getValue().isArray()) {
                add(pointer, where + " has no members", "list the people in it, e.g. " + team + ": [alice, bob]", "");
            }
            teams.put(team, people.stream().distinct().toList());
        }
        return teams;
    }

    private List<String> decisionPublishers(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<String> publishers = stringList(node, "/decision-publishers", "field 'decision-publishers'");
        List<String> allowed = java.util.Arrays.stream(Principal.values())
                .filter(p -> p.produces().contains(EventType.APPROVAL_DECIDED)).map(Principal::id).toList();
        for (int i = 0; i < publishers.size(); i++) {
            String id = publishers.get(i);
            Optional<Principal> principal = Principal.fromId(id);
            if (principal.isEmpty()) {
                add("/decision-publishers/" + i, "decision publisher '" + id + "' is not a known principal",
                        "use one of " + allowed, didYouMean(id, allowed));
            } else if (!allowed.contains(id)) {
                add("/decision-publishers/" + i, "principal '" + id + "' may not publish approval decisions",
                        "use one of " + allowed, "");
            }
        }
        return publishers.stream().distinct().toList();
    }

    private List<Draft> environments(JsonNode node, Map<String, List<String>> teams) {
        List<Draft> drafts = new ArrayList<>();
        if (node == null || node.isNull()) {
            add("/environments", "field 'environments' is missing",
                    "list the environments in promotion order, each with name, vhost, gate, namespace and "
                            + "audit-retention", "");
            return drafts;
        }
        if (!node.isArray()) {
            add("/environments", "field 'environments' must be a list in promotion order, not a " + kind(node),
                    "start each environment with '- name: ...'", "");
            return drafts;
        }
        if (node.isEmpty()) {
            add("/environments", "field 'environments' is empty", "list at least one environment", "");
        }
        for (int i = 0; i < node.size(); i++) {
            drafts.add(environment(new Draft(i), node.get(i), teams));
        }
        return drafts;
    }

    // ---- one environment

    private Draft environment(Draft d, JsonNode node, Map<String, List<String>> teams) {
        if (!node.isObject()) {
            add(d.pointer, d.label + " must be a mapping with name, vhost, gate, namespace and audit-retention, "
                    + "not a " + kind(node), "indent its fields under '- name: ...'", "");
            return d;
        }
        JsonNode nameNode = node.get("name");
        if (nameNode != null && nameNode.isString() && !nameNode.stringValue().isBlank()) {
            d.label = "environment '" + nameNode.stringValue() + "'";
        }
        unknownKeys(node, d.pointer, "in " + d.label, ENVIRONMENT_KEYS);

        d.name = text(node, d, "name", "e.g. name: dev");
        if (d.name != null && !ENVIRONMENT_NAME.matcher(d.name).matches()) {
            fieldProblem(d, "name", "'" + d.name + "' is not a valid environment name",
                    "use lower-case letters, digits and '-' (no dots: it ends every routing key), at most 31, "
                            + "starting with a letter, e.g. staging");
            d.name = null;
        }
        d.vhost = text(node, d, "vhost", "e.g. vhost: " + (d.name == null ? "dev" : d.name));
        if (d.vhost != null && !VHOST.matcher(d.vhost).matches()) {
            fieldProblem(d, "vhost", "'" + d.vhost + "' is not a valid vhost", VHOST_RULE);
            d.vhost = null;
        }
        String gate = text(node, d, "gate", "use gate: auto or gate: manual");
        if (gate != null) {
            d.gate = Gate.fromId(gate).orElse(null);
            if (d.gate == null) {
                fieldProblem(d, "gate", "unknown gate '" + gate + "'", "use auto or manual"
                        + didYouMean(gate, List.of("auto", "manual")));
            }
        }
        d.namespace = text(node, d, "namespace", "e.g. namespace: knative-lambda-" + (d.name == null ? "dev" : d.name));
        if (d.namespace != null && !DNS_LABEL.matcher(d.namespace).matches()) {
            fieldProblem(d, "namespace", "'" + d.namespace + "' is not a valid namespace", NAMESPACE_RULE);
            d.namespace = null;
        }
        d.auditRetention = duration(node, d, "audit-retention", true);
        cloudResources(node, d);
        gitops(node, d);
        freeze(node.get("freeze"), d);
        if (node.has("soak")) {
            Duration soak = duration(node, d, "soak", false);
            d.soak = soak == null ? Duration.ZERO : soak;
        }

        if (d.gate == Gate.AUTO) {
            for (String key : MANUAL_ONLY_KEYS) {
                if (node.has(key)) {
                    fieldProblem(d, key, "'" + key + "' applies to manual gates only, and this environment has gate auto",
                            "remove '" + key + "', or set gate: manual if releases must be approved here");
                }
            }
            d.approvers = List.of();
            d.minApprovals = 0;
            d.approvalTtl = Duration.ZERO;
        } else if (d.gate == Gate.MANUAL) {
            manualGate(node, d, teams);
        }
        return d;
    }

    /** Optional, each the environment's own: checked for form here, for sharing by {@code stagecoach lint}. */
    private void cloudResources(JsonNode node, Draft d) {
        String env = d.name == null ? "dev" : d.name;
        d.imageRepository = optionalText(node, d, "image-repository",
                "e.g. image-repository: ghcr.io/acme/knative-lambda-builder-" + env);
        d.imageRepository.ifPresent(repository -> {
            String problem = repository.contains("@") ? "carries a digest"
                    : repository.substring(repository.lastIndexOf('/') + 1).contains(":") ? "carries a tag"
                    : !repository.equals(repository.toLowerCase(java.util.Locale.ROOT)) ? "has upper-case letters"
                    : IMAGE_REPOSITORY.matcher(repository).matches() ? null : "is not an image repository";
            if (problem != null) {
                fieldProblem(d, "image-repository", "'" + repository + "' " + problem, "name the repository alone, "
                        + "lower case, [registry/]path, e.g. ghcr.io/acme/knative-lambda-builder-" + env
                        + " (each release brings its own tag and digest)");
                d.imageRepository = Optional.empty();
            }
        });
        if (node.has("image-retention")) {
            Duration retention = duration(node, d, "image-retention", false);
            if (retention != null && (retention.isZero() || retention.toSeconds() % 86_400 != 0)) {
                fieldProblem(d, "image-retention", "'" + node.get("image-retention").asString() + "' is not whole days",
                        "give the days an image is kept in the environment's repository, e.g. image-retention: 30d");
                retention = null;
            }
            d.imageRetention = Optional.ofNullable(retention);
        }
        d.bucket = optionalText(node, d, "bucket", "e.g. bucket: knative-lambda-artifacts-" + env);
        d.bucket.ifPresent(bucket -> {
            if (!BUCKET.matcher(bucket).matches()) {
                fieldProblem(d, "bucket", "'" + bucket + "' is not a bucket name", "use 3 to 63 lower-case letters, "
                        + "digits, '.', '_' or '-', starting and ending with a letter or digit, alone or as "
                        + "s3://<bucket>/<prefix> or gs://<bucket>/<prefix>, e.g. knative-lambda-artifacts-" + env);
                d.bucket = Optional.empty();
            }
        });
        d.iamRole = optionalText(node, d, "iam-role", "e.g. iam-role: arn:aws:iam::123456789012:role/stagecoach-" + env);
        d.iamRole.ifPresent(role -> {
            if (!AWS_ROLE_ARN.matcher(role).matches() && !GCP_SERVICE_ACCOUNT.matcher(role).matches()
                    && !AZURE_CLIENT_ID.matcher(role).matches()) {
                fieldProblem(d, "iam-role", "'" + role + "' is not a role the linter can match against service "
                        + "accounts", "write an AWS role ARN (arn:aws:iam::123456789012:role/stagecoach-" + env
                        + "), a GCP service account (stagecoach-" + env + "@my-project.iam.gserviceaccount.com) "
                        + "or an Azure client id (a lower-case UUID), as the service account annotation says it");
                d.iamRole = Optional.empty();
            }
        });
    }

    /** Where the environment's desired state is written; checked for sharing by {@code stagecoach lint}. */
    private void gitops(JsonNode node, Draft d) {
        String env = d.name == null ? "dev" : d.name;
        d.gitopsRepository = optionalText(node, d, "gitops-repository",
                "e.g. gitops-repository: https://git.example.com/acme/deploy-" + env + ".git");
        d.gitopsRepository.ifPresent(repository -> {
            String problem = repository.matches("[A-Za-z0-9+.-]+://[^/@]*:[^/@]*@.*") ? "carries a password"
                    : repository.chars().anyMatch(Character::isWhitespace) ? "has spaces" : null;
            if (problem != null) {
                fieldProblem(d, "gitops-repository", "the repository " + problem, "name the repository alone (its "
                        + "push credential is a Secret in the environment's namespace), e.g. "
                        + "https://git.example.com/acme/deploy-" + env + ".git");
                d.gitopsRepository = Optional.empty();
            }
        });
        d.deployTarget = optionalText(node, d, "deploy-target", "deploy-target: gitops or deploy-target: kubernetes");
        d.deployTarget.ifPresent(target -> {
            if (!target.equals("gitops") && !target.equals("kubernetes")) {
                fieldProblem(d, "deploy-target", "'" + target + "' is not a deploy target",
                        "write gitops (a commit to the environment's GitOps repository) or kubernetes (the image set "
                                + "on its Deployment)");
                d.deployTarget = Optional.empty();
            }
        });
        d.gitopsBranch = optionalText(node, d, "gitops-branch", "e.g. gitops-branch: " + env);
        d.gitopsBranch.ifPresent(branch -> {
            if (!branch.matches("[A-Za-z0-9][A-Za-z0-9._/-]*") || branch.contains("..") || branch.endsWith("/")
                    || branch.endsWith(".lock")) {
                fieldProblem(d, "gitops-branch", "'" + branch + "' is not a branch name", "e.g. gitops-branch: " + env);
                d.gitopsBranch = Optional.empty();
            }
        });
    }

    /** When the environment takes no promotions: weekly windows and dates, in one time zone (UTC unless named). */
    private void freeze(JsonNode node, Draft d) {
        if (node == null) {
            return;
        }
        String pointer = d.pointer + "/freeze";
        String where = d.label + ", field 'freeze'";
        if (!node.isObject()) {
            add(pointer, where + " must be a mapping with time-zone, weekly and dates, not a " + kind(node),
                    "e.g. freeze: {time-zone: Europe/Berlin, weekly: [\"Fri 16:00 - Mon 08:00\"], dates: "
                            + "[\"2026-12-24 - 2027-01-01\"]}", "");
            return;
        }
        unknownKeys(node, pointer, "in " + where, FREEZE_KEYS);
        java.time.ZoneId zone = FreezeSchedule.UTC;
        JsonNode zoneNode = node.get("time-zone");
        if (zoneNode != null) {
            String id = zoneNode.isString() ? zoneNode.stringValue().trim() : zoneNode.asString();
            try {
                zone = java.time.ZoneId.of(id);
            } catch (java.time.DateTimeException e) {
                add(pointer + "/time-zone", where + ": '" + id + "' is not a time zone",
                        "use a region of the tz database, e.g. Europe/Berlin, America/New_York or UTC", "");
            }
        }
        List<FreezeSchedule.Weekly> weekly = new ArrayList<>();
        List<String> weeklyTexts = stringList(node.get("weekly"), pointer + "/weekly", where + ", 'weekly'");
        for (int i = 0; i < weeklyTexts.size(); i++) {
            weekly(weeklyTexts.get(i), pointer + "/weekly/" + i, where + ", weekly '" + weeklyTexts.get(i) + "'")
                    .ifPresent(weekly::add);
        }
        List<FreezeSchedule.Dates> dates = new ArrayList<>();
        List<String> dateTexts = stringList(node.get("dates"), pointer + "/dates", where + ", 'dates'");
        for (int i = 0; i < dateTexts.size(); i++) {
            dates(dateTexts.get(i), pointer + "/dates/" + i, where + ", dates '" + dateTexts.get(i) + "'")
                    .ifPresent(dates::add);
        }
        if (weekly.isEmpty() && dates.isEmpty() && weeklyTexts.isEmpty() && dateTexts.isEmpty()) {
            add(pointer, where + " declares no window", "add weekly: [\"Fri 16:00 - Mon 08:00\"] or dates: "
                    + "[\"2026-12-24 - 2027-01-01\"], or remove 'freeze'", "");
        }
        d.freeze = new FreezeSchedule(zone, weekly, dates);
    }

    private Optional<FreezeSchedule.Weekly> weekly(String text, String pointer, String where) {
        String example = "write '<day> <HH:MM> - <day> <HH:MM>', e.g. \"Fri 16:00 - Mon 08:00\" (it may run over "
                + "the week's end)";
        Matcher m = WEEKLY.matcher(text);
        if (!m.matches()) {
            add(pointer, where + " is not a weekly window", example, "");
            return Optional.empty();
        }
        Optional<java.time.DayOfWeek> fromDay = day(m.group(1), pointer, where);
        Optional<java.time.LocalTime> from = time(m.group(2), pointer, where);
        Optional<java.time.DayOfWeek> toDay = day(m.group(3), pointer, where);
        Optional<java.time.LocalTime> to = time(m.group(4), pointer, where);
        if (fromDay.isEmpty() || from.isEmpty() || toDay.isEmpty() || to.isEmpty()) {
            return Optional.empty();
        }
        if (fromDay.get() == toDay.get() && from.get().equals(to.get())) {
            add(pointer, where + " starts where it ends", "give it an end after its start; a freeze of the whole "
                    + "week is \"Mon 00:00 - Sun 23:59\"", "");
            return Optional.empty();
        }
        return Optional.of(new FreezeSchedule.Weekly(fromDay.get(), from.get(), toDay.get(), to.get()));
    }

    private Optional<java.time.DayOfWeek> day(String text, String pointer, String where) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        for (java.time.DayOfWeek day : java.time.DayOfWeek.values()) {
            String name = day.name().toLowerCase(java.util.Locale.ROOT);
            if (lower.length() >= 3 && name.startsWith(lower)) {
                return Optional.of(day);
            }
        }
        add(pointer, where + ": '" + text + "' is not a day of the week", "write Mon, Tue, Wed, Thu, Fri, Sat or Sun",
                "");
        return Optional.empty();
    }

    private Optional<java.time.LocalTime> time(String text, String pointer, String where) {
        try {
            return Optional.of(java.time.LocalTime.parse(text.length() == 4 || text.length() == 7 ? "0" + text : text));
        } catch (java.time.DateTimeException e) {
            add(pointer, where + ": '" + text + "' is not a time of day", "write HH:MM on a 24-hour clock, e.g. 08:00 "
                    + "or 16:30", "");
            return Optional.empty();
        }
    }

    private Optional<FreezeSchedule.Dates> dates(String text, String pointer, String where) {
        Matcher m = DATES.matcher(text);
        if (!m.matches()) {
            add(pointer, where + " is not a date or a range of dates", "write 2026-12-31, or a range with both days "
                    + "frozen: \"2026-12-24 - 2027-01-01\"", "");
            return Optional.empty();
        }
        try {
            java.time.LocalDate first = java.time.LocalDate.parse(m.group(1));
            java.time.LocalDate last = m.group(2) == null ? first : java.time.LocalDate.parse(m.group(2));
            if (last.isBefore(first)) {
                add(pointer, where + " ends before it starts", "write the first day first, e.g. \"" + last + " - "
                        + first + "\"", "");
                return Optional.empty();
            }
            return Optional.of(new FreezeSchedule.Dates(first, last));
        } catch (java.time.DateTimeException e) {
            add(pointer, where + " names a day that does not exist", "write real days as YYYY-MM-DD, e.g. 2026-12-31",
                    "");
            return Optional.empty();
        }
    }

    private void manualGate(JsonNode node, Draft d, Map<String, List<String>> teams) {
        JsonNode approvers = node.get("approvers");
        if (approvers == null || approvers.isNull() || (approvers.isArray() && approvers.isEmpty())) {
            fieldProblem(d, approvers == null ? "gate" : "approvers", "gate manual needs approvers, and none are listed",
                    "add approvers: [<team>] naming teams from teams:" + (teams.isEmpty() ? ""
                            : " (defined: " + String.join(", ", teams.keySet()) + ")"));
            d.approvers = List.of();
        } else {
            d.approvers = stringList(approvers, d.pointer + "/approvers", d.label + ", field 'approvers'")
                    .stream().distinct().toList();
        }
        Set<String> people = new LinkedHashSet<>();
        for (int i = 0; i < d.approvers.size(); i++) {
            String team = d.approvers.get(i);
            List<String> members = teams.get(team);
            if (members == null) {
                add(d.pointer + "/approvers/" + i, d.label + ", field 'approvers': team '" + team
                        + "' is not defined under teams:", "add it, e.g. teams: {" + team + ": [alice, bob]}, or use "
                        + (teams.isEmpty() ? "a defined team" : "one of " + teams.keySet()), didYouMean(team, teams.keySet()));
            } else {
                people.addAll(members);
            }
        }
        d.minApprovals = 1;
        JsonNode min = node.get("min-approvals");
        if (min != null) {
            if (!min.isIntegralNumber() || !min.canConvertToInt() || min.intValue() < 1) {
                fieldProblem(d, "min-approvals", "'" + min.asString() + "' is not a whole number of at least 1",
                        "write e.g. min-approvals: 1");
                d.minApprovals = null;
            } else {
                d.minApprovals = min.intValue();
            }
        }
        if (d.minApprovals != null && !d.approvers.isEmpty() && d.approvers.stream().allMatch(teams::containsKey)
                && d.minApprovals > people.size()) {
            fieldProblem(d, min != null ? "min-approvals" : "approvers", "min-approvals is " + d.minApprovals
                    + " but the approver teams " + d.approvers + " have only " + people.size() + " distinct "
                    + (people.size() == 1 ? "person" : "people") + " " + people + ", so no release could ever pass",
                    "lower min-approvals to at most " + people.size() + " or add people to the approver teams");
        }
        d.approvalTtl = node.has("approval-ttl") ? duration(node, d, "approval-ttl", false) : DEFAULT_APPROVAL_TTL;
    }

    // ---- checks across environments

    private void crossChecks(List<Draft> drafts, List<String> decisionPublishers) {
        unique(drafts, "name", d -> d.name, "give each environment its own name");
        unique(drafts, "vhost", d -> d.vhost,
                "give each environment its own vhost: a shared vhost lets one environment's events and "
                        + "credentials reach the other");
        unique(drafts, "namespace", d -> d.namespace,
                "give each environment its own namespace: a shared namespace lets one environment's "
                        + "deployments overwrite the other's");
        if (!drafts.isEmpty() && drafts.get(0).gate == Gate.MANUAL) {
            Draft first = drafts.get(0);
            fieldProblem(first, "gate", "the first environment must have gate auto: it is entered straight from CI "
                    + "builds, where nobody is asked to approve", "set gate: auto, or put an auto environment first");
        }
        if (decisionPublishers.isEmpty()) {
            drafts.stream().filter(d -> d.gate == Gate.MANUAL).findFirst().ifPresent(d -> fieldProblem(d, "gate",
                    "gate manual needs someone to publish approval decisions, and decision-publishers is empty",
                    "add decision-publishers: [chatops] at the top level"));
        }
    }

    private void unique(List<Draft> drafts, String field, java.util.function.Function<Draft, String> value, String fix) {
        Map<String, Draft> seen = new HashMap<>();
        for (Draft d : drafts) {
            String v = value.apply(d);
            if (v == null) {
                continue;
            }
            Draft earlier = seen.putIfAbsent(v, d);
            if (earlier != null) {
                fieldProblem(d, field, field + " '" + v + "' is already used by " + earlier.label
                        + " (line " + line(earlier.pointer + "/" + field) + ")", fix);
            }
        }
    }

    // ---- field readers

    private String text(JsonNode node, Draft d, String field, String example) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            add(node.has(field) ? d.pointer + "/" + field : d.pointer, d.label + ": field '" + field + "' is missing",
                    "add it, " + example, "");
            return null;
        }
        if (!value.isString() || value.stringValue().isBlank()) {
            fieldProblem(d, field, "must be text, not " + (value.isString() ? "blank" : "a " + kind(value)), example);
            return null;
        }
        return value.stringValue().trim();
    }

    /** An optional text field: absent is empty; present, it must be text that is not blank. */
    private Optional<String> optionalText(JsonNode node, Draft d, String field, String example) {
        if (!node.has(field)) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        if (value.isNull()) {
            fieldProblem(d, field, "has no value", "give it one, " + example + ", or remove the line");
            return Optional.empty();
        }
        if (!value.isString() || value.stringValue().isBlank()) {
            fieldProblem(d, field, "must be text, not " + (value.isString() ? "blank" : "a " + kind(value)), example);
            return Optional.empty();
        }
        return Optional.of(value.stringValue().trim());
    }

    private Duration duration(JsonNode node, Draft d, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                add(d.pointer, d.label + ": field '" + field + "' is missing", "add it, e.g. " + field + ": 30d", "");
            }
            return null;
        }
        String text = value.asString().trim();
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            String hint = value.isNumber() ? "'" + text + "' has no unit" : "'" + text + "' is not a duration";
            fieldProblem(d, field, hint, "write a whole number followed by s, m, h or d, e.g. 24h or 30d");
            return null;
        }
        long amount = Long.parseLong(m.group(1));
        if (amount == 0) {
            fieldProblem(d, field, "a duration of zero", "use a positive duration, e.g. 24h or 30d");
            return null;
        }
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    private List<String> stringList(JsonNode node, String pointer, String where) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            add(pointer, where + " must be a list, not a " + kind(node), "write e.g. [a, b] or one '- item' per line", "");
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isString() || item.stringValue().isBlank()) {
                add(pointer + "/" + i, where + ", item " + (i + 1) + ": must be text, not "
                        + (item.isString() ? "blank" : "a " + kind(item)), "write the name as text", "");
            } else {
                values.add(item.stringValue().trim());
            }
        }
        return values;
    }

    private void unknownKeys(JsonNode node, String pointer, String where, List<String> known) {
        for (String key : node.propertyNames()) {
            if (!known.contains(key)) {
                add(pointer + "/" + escape(key), "unknown field '" + key + "' " + where,
                        "remove it or correct it; known fields: " + String.join(", ", known),
                        known.contains(SYNONYMS.getOrDefault(key, "")) ? " (did you mean '" + SYNONYMS.get(key) + "'?)"
                                : didYouMean(key, known));
            }
        }
    }

    private void fieldProblem(Draft d, String field, String what, String fix) {
        add(d.pointer + "/" + field, d.label + ", field '" + field + "': " + what, fix, "");
    }

    private void add(String pointer, String what, String fix, String suggestion) {
        problems.add(new Problem(line(pointer), what, fix + suggestion));
    }

    /** The line of the nearest node at or above {@code pointer} that the YAML has. */
    private int line(String pointer) {
        String p = pointer;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            if (p.isEmpty()) {
                return 0;
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    /** Records the line of every key and list item, and reports keys given twice (the tree keeps only the last). */
    private void indexLines(String text) {
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                int line = parser.currentTokenLocation().getLineNr();
                if (token == JsonToken.PROPERTY_NAME) {
                    String pointer = parser.streamReadContext().pathAsPointer().toString();
                    Integer earlier = lines.putIfAbsent(pointer, line);
                    if (earlier != null) {
                        problems.add(new Problem(line, "field '" + parser.currentName() + "' is given twice (first at "
                                + "line " + earlier + ")", "keep one of them"));
                    }
                } else if (token.isScalarValue() || token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    lines.putIfAbsent(elementPointer(parser, token), line);
                }
            }
        }
    }

    private static String elementPointer(JsonParser parser, JsonToken token) {
        if (token.isScalarValue()) {
            return parser.streamReadContext().pathAsPointer().toString();
        }
        // a container's own context has no position yet: its parent's names the container
        return parser.streamReadContext().getParent() == null ? ""
                : parser.streamReadContext().getParent().pathAsPointer().toString();
    }

    // ---- small helpers

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String kind(JsonNode node) {
        if (node.isObject()) {
            return "mapping";
        }
        if (node.isArray()) {
            return "list";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        return node.isString() ? "text" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * SnakeYAML's message is "context, mark, source line, caret, problem, mark, ...": keep the unindented
     * sentences and the position of the last mark (the problem's).
     */
    private static Problem syntaxProblem(JacksonException e) {
        String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
        int line = 0;
        String column = "";
        Matcher mark = Pattern.compile("line (\\d+), column (\\d+)").matcher(message);
        while (mark.find()) {
            line = Integer.parseInt(mark.group(1));
            column = mark.group(2);
        }
        TokenStreamLocation at = e.getLocation();
        if (line == 0 && at != null && at.getLineNr() > 0) {
            line = at.getLineNr();
            column = String.valueOf(at.getColumnNr());
        }
        String sentences = message.lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .map(String::trim).collect(java.util.stream.Collectors.joining(": "));
        return new Problem(line, (column.isEmpty() ? "" : "column " + column + ": ") + "not valid YAML (" + sentences + ")",
                "fix the indentation, quoting or brackets there");
    }

    static String didYouMean(String given, java.util.Collection<String> known) {
        String plain = plain(given);
        return known.stream()
                .filter(k -> distance(given.toLowerCase(java.util.Locale.ROOT), k) <= Math.max(1, k.length() / 4)
                        || plain.equals(plain(k)) || plain.length() >= 4 && plain(k).startsWith(plain))
                .min(Comparator.comparingInt(k -> distance(given, k)))
                .map(k -> " (did you mean '" + k + "'?)")
                .orElse("");
    }

    /** {@code iamRole}, {@code iam_role} and {@code iam-role} alike. */
    private static String plain(String key) {
        return key.toLowerCase(java.util.Locale.ROOT).replaceAll("[-_.]", "");
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
