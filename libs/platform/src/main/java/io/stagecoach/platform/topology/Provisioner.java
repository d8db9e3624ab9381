package io.stagecoach.platform.topology;

import static io.stagecoach.platform.topology.ManagementClient.path;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.credentials.PasswordHashes;
import io.stagecoach.platform.credentials.PasswordPolicy;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Definitions.Binding;
import io.stagecoach.platform.topology.Definitions.Exchange;
import io.stagecoach.platform.topology.Definitions.Parameter;
import io.stagecoach.platform.topology.Definitions.Permission;
import io.stagecoach.platform.topology.Definitions.Queue;
import io.stagecoach.platform.topology.Definitions.TopicPermission;
import io.stagecoach.platform.topology.Definitions.User;
import io.stagecoach.platform.topology.ProvisioningReport.Difference;
import tools.jackson.databind.JsonNode;

/**
 * Applies broker definitions through the management HTTP API, object by object and idempotently,
 * then reads everything back and reports where the broker differs from the plan.
 *
 * <p>Configuration (vhosts, users, passwords, permissions, shovels) is set to the plan; objects holding data
 * (exchanges, queues) are only created when missing, because RabbitMQ silently keeps an existing queue declared
 * with other arguments: that shows up in the report. Inboxes and hand-off queues are the exception: one with other
 * arguments than the plan's is replaced, its messages moved into the planned one ({@link QueueReplacement}).
 *
 * <p>What the plan no longer has is removed only when nothing can be lost: in a vhost of the plan, a Stagecoach
 * queue (an inbox, a dead-letter queue, a hand-off queue) the plan does not declare is deleted when the broker
 * reports it empty and without consumers, a dead-letter queue only once the inbox that dead-letters into it is gone;
 * one holding messages is kept and reported until someone moved or read them. A Stagecoach user of a principal that
 * no longer runs in a vhost of the plan ({@code <vhost>-<principal>}) is deleted: a credential for nothing that runs
 * is only a risk. Anything else (other vhosts, users and queues) is never touched.
 */
public final class Provisioner {

    private final ManagementClient management;
    private final PasswordPolicy passwords;
    private final Consumer<String> progress;
    /** Decided at the start of each {@link #apply}: whose password to set, and the users the broker had then. */
    private PasswordPolicy.Plan decided = new PasswordPolicy.Plan(Map.of(), Map.of(), List.of());
    private Map<String, JsonNode> usersBefore = Map.of();

    /** Passwords as {@link PasswordPolicy#of(Credentials)}: never a guessable one, existing ones left alone. */
    public Provisioner(ManagementClient management, Credentials credentials, Consumer<String> progress) {
        this(management, PasswordPolicy.of(credentials), progress);
    }

    public Provisioner(ManagementClient management, PasswordPolicy passwords, Consumer<String> progress) {
        this.management = management;
        this.passwords = passwords;
        this.progress = progress;
    }

    /** Plans {@code environments}, applies the plan and reads it back. */
    public ProvisioningReport apply(Environments environments) {
        return apply(BrokerDefinitions.plan(environments), labels(environments));
    }

    /** Applies {@code definitions} and reads them back. */
    public ProvisioningReport apply(Definitions definitions) {
        return apply(definitions, vhost -> "vhost " + vhost);
    }

    /** Reads back only: what differs between the broker and the plan of {@code environments}. */
    public ProvisioningReport verify(Environments environments) {
        return verify(BrokerDefinitions.plan(environments), labels(environments));
    }

    public ProvisioningReport verify(Definitions definitions) {
        return verify(definitions, vhost -> "vhost " + vhost);
    }

    private ProvisioningReport verify(Definitions definitions, Function<String, String> label) {
        List<Difference> differences = new ArrayList<>();
        List<ProvisioningReport.QueueCount> counts = new ArrayList<>();
        Map<String, JsonNode> users = byName(management.list("/api/users"), "name");
        for (Definitions.Vhost vhost : definitions.vhosts()) {
            counts.add(verifyVhost(definitions.inVhost(vhost.name()), vhost.name(), label.apply(vhost.name()), users,
                    differences));
        }
        for (User user : definitions.users()) {
            verifyUser(user, definitions, users, differences);
        }
        for (StaleUser stale : staleUsers(definitions, users)) {
            differences.add(new Difference(stale.vhost(), "user " + stale.user(), "not in the plan: " + stale.principal()
                    + " does not run here", "provision deletes it"));
        }
        return new ProvisioningReport(differences, counts, nodeQueues());
    }

    private ProvisioningReport apply(Definitions definitions, Function<String, String> label) {
        Optional<Difference> tooMany = capacity(definitions);
        if (tooMany.isPresent()) {
            return new ProvisioningReport(List.of(tooMany.get()), List.of(), null);
        }
        List<Difference> refused = decidePasswords(definitions);
        if (!refused.isEmpty()) {
            return new ProvisioningReport(refused, List.of(), null);
        }
        List<Difference> failures = new ArrayList<>();
        for (Definitions.Vhost vhost : definitions.vhosts()) {
            applyVhost(definitions.inVhost(vhost.name()), vhost.name(), label.apply(vhost.name()), failures);
        }
        Set<String> placed = new LinkedHashSet<>();
        definitions.permissions().forEach(p -> placed.add(p.user()));
        definitions.users().stream().filter(u -> !placed.contains(u.name()))
                .forEach(u -> attempt(failures, "", "user " + u.name(), () -> putUser(u)));
        for (StaleUser stale : staleUsers(definitions, byName(management.list("/api/users"), "name"))) {
            attempt(failures, stale.vhost(), "user " + stale.user(), () -> {
                management.delete(path("api", "users", stale.user()));
                progress.accept(label.apply(stale.vhost()) + ": removed user " + stale.user() + " ("
                        + stale.principal() + " does not run there)");
            });
        }
        // shovels last: their destination vhosts must exist first
        for (Parameter parameter : definitions.parameters()) {
            attempt(failures, parameter.vhost(), parameter.component() + " " + parameter.name(),
                    () -> progress.accept(label.apply(parameter.vhost()) + ": " + parameter.component() + " "
                            + parameter.name() + " " + applyParameter(parameter)));
        }
        ProvisioningReport readBack = verify(definitions, label);
        List<Difference> all = new ArrayList<>(failures);
        readBack.differences().stream().filter(d -> failures.stream().noneMatch(f -> sameObject(f, d)))
                .forEach(all::add);
        return new ProvisioningReport(all, readBack.queues(), readBack.node());
    }

    private void applyVhost(Definitions part, String vhost, String label, List<Difference> failures) {
        management.put(path("api", "vhosts", vhost), Map.of());
        for (User user : part.users()) {
            attempt(failures, "", "user " + user.name(), () -> putUser(user));
        }
        for (Permission p : part.permissions()) {
            attempt(failures, vhost, "permissions of " + p.user(), () -> management.put(path("api", "permissions", vhost,
                    p.user()), Map.of("configure", p.configure(), "write", p.write(), "read", p.read())));
        }
        for (TopicPermission p : part.topicPermissions()) {
            attempt(failures, vhost, "topic permissions of " + p.user() + " on " + p.exchange(),
                    () -> management.put(path("api", "topic-permissions", vhost, p.user()),
                            Map.of("exchange", p.exchange(), "write", p.write(), "read", p.read())));
        }
        Map<String, JsonNode> exchanges = byName(management.list(path("api", "exchanges", vhost)), "name");
        int newExchanges = 0;
        for (Exchange e : part.exchanges()) {
            if (!exchanges.containsKey(e.name())) {
                newExchanges += attempt(failures, vhost, "exchange " + e.name(), () -> management.put(
                        path("api", "exchanges", vhost, e.name()), ordered("type", e.type(), "durable", e.durable(),
                                "auto_delete", e.autoDelete(), "internal", e.internal(), "arguments", e.arguments())));
            }
        }
        Map<String, JsonNode> queues = byName(management.list(path("api", "queues", vhost)), "name");
        int newQueues = 0;
        for (Queue q : part.queues()) {
            if (!queues.containsKey(q.name())) {
                newQueues += attempt(failures, vhost, "queue " + q.name(), () -> management.put(
                        path("api", "queues", vhost, q.name()),
                        ordered("durable", q.durable(), "auto_delete", q.autoDelete(), "arguments", q.arguments())));
            }
        }
        // a hand-off queue a shovel declared in the plan's place, or an inbox declared before the plan changed its
        // arguments, is replaced, its messages moved (and a replacement that stopped halfway finished)
        QueueReplacement replacement = new QueueReplacement(management, progress);
        for (Queue q : part.queues()) {
            if (!QueueReplacement.isHandoff(q, part.parameters()) && !BrokerDefinitions.isInbox(q.name())) {
                continue;
            }
            JsonNode existing = queues.get(q.name());
            if (existing != null && !QueueReplacement.differingArguments(q, existing).isEmpty()) {
                attempt(failures, vhost, "queue " + q.name(),
                        () -> progress.accept(label + ": " + replacement.replace(q, existing, label)));
            } else {
                attempt(failures, vhost, "queue " + q.name(), () -> replacement.resume(q, label));
            }
        }
        List<JsonNode> bindings = management.list(path("api", "bindings", vhost));
        int newBindings = 0;
        for (Binding b : part.bindings()) {
            if (bindings.stream().noneMatch(existing -> isBinding(existing, b))) {
                newBindings += attempt(failures, vhost, describe(b), () -> management.post(
                        path("api", "bindings", vhost, "e", b.source(), b.destinationType().substring(0, 1), b.destination()),
                        ordered("routing_key", b.routingKey(), "arguments", b.arguments())));
            }
        }
        List<String> removed = removeStaleQueues(part, vhost, queues, failures);
        progress.accept(label + ": " + part.users().size() + " users, " + part.permissions().size() + " permissions, "
                + part.topicPermissions().size() + " topic permissions set; " + count(part.exchanges().size(), newExchanges,
                "exchanges") + ", " + queueCount(part, newQueues) + ", "
                + count(part.bindings().size(), newBindings, "bindings")
                + (removed.isEmpty() ? "" : "; removed " + removed.size() + " empty queues no longer in the plan: "
                + String.join(", ", removed)));
    }

    /**
     * Deletes the Stagecoach queues of {@code vhost} that the plan no longer has and that are empty and unused; a
     * dead-letter queue only when the queue that dead-letters into it is gone. Returns the names deleted.
     */
    private List<String> removeStaleQueues(Definitions part, String vhost, Map<String, JsonNode> queues,
                                           List<Difference> failures) {
        Set<String> remaining = new LinkedHashSet<>(queues.keySet());
        List<JsonNode> stale = new ArrayList<>(queues.values().stream().filter(q -> isStale(part, vhost, q)).toList());
        // the queues that dead-letter first, their dead-letter queues after them
        stale.sort(java.util.Comparator.comparing(q -> q.path("name").asString().endsWith(BrokerNames.DEAD_LETTER_SUFFIX)));
        List<String> removed = new ArrayList<>();
        for (JsonNode queue : stale) {
            String name = queue.path("name").asString();
            if (name.endsWith(BrokerNames.DEAD_LETTER_SUFFIX)
                    && remaining.contains(name.substring(0, name.length() - BrokerNames.DEAD_LETTER_SUFFIX.length()))) {
                continue;
            }
            if (isEmptyAndUnused(queue) && attempt(failures, vhost, "queue " + name,
                    () -> management.delete(path("api", "queues", vhost, name))) == 1) {
                remaining.remove(name);
                removed.add(name);
            }
        }
        return removed;
    }

    /** A Stagecoach queue in a vhost of the plan that the plan does not declare (there). */
    private static boolean isStale(Definitions part, String vhost, JsonNode queue) {
        String name = queue.path("name").asString();
        return part.queue(vhost, name).isEmpty() && BrokerDefinitions.isStagecoachQueue(name);
    }

    /** Empty and without consumers as far as the broker says; unknown counts (no statistics yet) are not empty. */
    private static boolean isEmptyAndUnused(JsonNode queue) {
        return queue.path("messages").isNumber() && queue.path("messages").asLong() == 0
                && queue.path("consumers").asLong(0) == 0;
    }

    /** A user named {@code <vhost>-<principal>} in a vhost of the plan whose principal the plan gives no user there. */
    private record StaleUser(String user, String vhost, String principal) {
    }

    private static List<StaleUser> staleUsers(Definitions definitions, Map<String, JsonNode> users) {
        Set<String> planned = new LinkedHashSet<>();
        definitions.users().forEach(u -> planned.add(u.name()));
        List<StaleUser> stale = new ArrayList<>();
        for (Definitions.Vhost vhost : definitions.vhosts()) {
            for (io.stagecoach.events.Principal principal : io.stagecoach.events.Principal.values()) {
                String user = principal.userIn(vhost.name());
                if (users.containsKey(user) && !planned.contains(user)) {
                    stale.add(new StaleUser(user, vhost.name(), principal.id()));
                }
            }
        }
        return stale;
    }

    private static String queueCount(Definitions part, int created) {
        long quorum = planned(part, "quorum");
        long streams = planned(part, "stream");
        return part.queues().size() + " queues (" + quorum + " quorum, " + streams + (streams == 1 ? " stream" : " streams")
                + (created == 0 ? "" : "; " + created + " new") + ")";
    }

    private static long planned(Definitions part, String type) {
        return part.queues().stream().filter(q -> type.equals(q.arguments().get("x-queue-type"))).count();
    }

    /**
     * Quorum queues on the whole broker and its smallest open-file limit; null when it does not say. Listing every
     * vhost's queues fails now and then while another vhost is being deleted (500): it is tried three times, and
     * without an answer the report leaves the line out rather than fail a provisioning that succeeded.
     */
    private ProvisioningReport.NodeQueues nodeQueues() {
        for (int attempt = 1; ; attempt++) {
            try {
                long quorum = management.list("/api/queues?columns=type").stream()
                        .filter(q -> q.path("type").asString().equals("quorum")).count();
                long limit = management.list("/api/nodes").stream().filter(n -> n.path("running").asBoolean(true))
                        .mapToLong(n -> n.path("fd_total").asLong(0)).filter(fd -> fd > 0).min().orElse(0);
                return new ProvisioningReport.NodeQueues(quorum, limit);
            } catch (ManagementApiException e) {
                if (e.isAuthorisationProblem() || attempt == 3) {
                    return null;
                }
            }
            try {
                Thread.sleep(250L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** The open-file limit a plan is judged by when the broker does not say its own: the usual default. */
    static final long COMMON_OPEN_FILE_LIMIT = 1024;

    /** The lowest open-file limit a running node reports, 0 when none reports one. */
    private long openFileLimit() {
        return management.list("/api/nodes").stream().filter(n -> n.path("running").asBoolean(true))
                .mapToLong(n -> n.path("fd_total").asLong(0)).filter(fd -> fd > 0).min().orElse(0);
    }

    /**
     * Refuses a plan whose new quorum queues would take the broker past what its open-file limit leaves for them:
     * each reserves {@value ProvisioningReport#FILE_HANDLES_PER_QUORUM_QUEUE} file handles, and once they are taken
     * every new connection hangs in the handshake (and {@code rabbitmqctl stop_app} with it). Empty when the plan
     * fits. A broker that does not say its limit is judged by the common default of 1,024 open files. A broker whose
     * queues or limit cannot be read (asked twice) ends the run before anything changes, as any unanswered question
     * does: a check that could not be made is no proof that the plan fits, and a broker near its limit is the one
     * that answers slowly.
     */
    Optional<Difference> capacity(Definitions definitions) {
        List<JsonNode> queues;
        long limit;
        for (int attempt = 1; ; attempt++) {
            try {
                // without statistics: the queue list comes from the broker's metadata, not from each queue
                queues = management.list("/api/queues?disable_stats=true&columns=name,vhost,type");
                limit = openFileLimit();
                break;
            } catch (ManagementApiException e) {
                if (attempt == 2) {
                    // as any other question the management API does not answer: nothing was changed yet
                    throw e;
                }
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return Optional.of(new Difference("", "broker capacity", "interrupted while reading the "
                            + "broker's capacity. Nothing was changed", "provision again"));
                }
            }
        }
        // a node reports fd_total with its statistics, which a node just started (or short of file handles) may not
        // have collected yet: ask again before going ahead unchecked, and say so when it never does
        for (int wait = 1; limit == 0 && wait <= 3; wait++) {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
            limit = openFileLimit();
        }
        boolean reported = limit > 0;
        if (!reported) {
            // a node short of file handles can stop collecting its statistics: judge the plan by the common default
            limit = COMMON_OPEN_FILE_LIMIT;
        }
        Set<String> existing = new java.util.HashSet<>();
        long quorum = 0;
        for (JsonNode queue : queues) {
            existing.add(queue.path("vhost").asString() + "/" + queue.path("name").asString());
            if ("quorum".equals(queue.path("type").asString())) {
                quorum++;
            }
        }
        long added = definitions.queues().stream().filter(q -> "quorum".equals(q.arguments().get("x-queue-type")))
                .filter(q -> !existing.contains(q.vhost() + "/" + q.name())).count();
        long room = (limit - ProvisioningReport.NodeQueues.RESERVED_FOR_OTHER_USES)
                / ProvisioningReport.FILE_HANDLES_PER_QUORUM_QUEUE;
        if (added == 0 || quorum + added <= room) {
            if (!reported) {
                progress.accept("broker capacity: the broker does not report its open-file limit (fd_total of "
                        + "/api/nodes); the quorum queues this plan adds fit even the common default of "
                        + COMMON_OPEN_FILE_LIMIT + " open files");
            }
            return Optional.empty();
        }
        if (!reported) {
            return Optional.of(new Difference("", "broker capacity", String.format(java.util.Locale.ROOT,
                    "the broker does not report its open-file limit (fd_total of /api/nodes, asked four times over "
                            + "6 s; a node short of file handles stops collecting it), and this plan adds %d quorum "
                            + "queues to the %d it holds: more than the common default of %d open files leaves room "
                            + "for (about %d). Nothing was changed", added, quorum, COMMON_OPEN_FILE_LIMIT, room),
                    "look at the node's file descriptors (rabbitmqctl status), raise its open-file limit if it is "
                            + "the default (RabbitMQ recommends at least 65,536), and provision again once /api/nodes "
                            + "reports fd_total"));
        }
        long perEnvironment = Math.max(1, Math.round((double) definitions.queues().stream()
                .filter(q -> "quorum".equals(q.arguments().get("x-queue-type"))).count()
                / Math.max(1, definitions.vhosts().size())));
        long fit = Math.max(0, room - quorum) / perEnvironment;
        return Optional.of(new Difference("", "broker capacity", String.format(java.util.Locale.ROOT,
                "this plan adds %d quorum queues to the %d the broker holds; each takes %d file handles, and its "
                        + "open-file limit of %d leaves room for about %d in all: past that, every new connection hangs "
                        + "in the handshake. Nothing was changed. About %d more environment%s of %d quorum queues fit",
                added, quorum, ProvisioningReport.FILE_HANDLES_PER_QUORUM_QUEUE, limit, room, fit,
                fit == 1 ? "" : "s", perEnvironment),
                "raise RabbitMQ's open-file limit and restart it (RabbitMQ recommends at least 65,536 in production; "
                        + "locally: ulimit -n 65536 before rabbitmq-server, or LimitNOFILE=65536 in its systemd unit), "
                        + "or delete vhosts nobody uses, then provision again"));
    }

    /**
     * Decides every user's password before anything changes, and keeps the generated ones first; what refuses
     * (local-only passwords for a broker elsewhere, a generated password with nowhere to keep it) changes nothing.
     */
    private List<Difference> decidePasswords(Definitions definitions) {
        usersBefore = byName(management.list("/api/users"), "name");
        List<String> refusals = new ArrayList<>();
        if (passwords.localOnly() && !onThisMachine(management.baseUrl())) {
            refusals.add("local-only passwords (<user>" + Credentials.LOCAL_ONLY_SUFFIX + ") are only for a broker on "
                    + "this machine, and " + management.baseUrl() + " is not a loopback address: leave out "
                    + "--local-only-passwords");
        }
        Map<String, PasswordPolicy.Existing> existing = new LinkedHashMap<>();
        usersBefore.forEach((name, node) -> existing.put(name, new PasswordPolicy.Existing(
                node.path("password_hash").asString(""), node.path("hashing_algorithm").asString(""))));
        PasswordPolicy.Plan plan = passwords.plan(definitions.users().stream().map(User::name).toList(), existing);
        refusals.addAll(plan.refusals());
        if (refusals.isEmpty()) {
            try {
                passwords.keep(plan);
            } catch (RuntimeException e) {
                refusals.add("cannot keep the generated passwords, so none was set: " + e.getMessage());
            }
        }
        if (!refusals.isEmpty()) {
            return refusals.stream().map(r -> new Difference("", "passwords", r, "nothing was changed")).toList();
        }
        decided = plan;
        return List.of();
    }

    private static boolean onThisMachine(String url) {
        try {
            String host = URI.create(url).getHost();
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (IllegalArgumentException | UnknownHostException e) {
            return false;
        }
    }

    /**
     * Sets the decided password of a new or rotated user; for any other user only the plan's tags, with the hash the
     * broker already keeps, so its password stays what it was.
     */
    private void putUser(User user) {
        PasswordPolicy.NewPassword set = decided.toSet().get(user.name());
        if (set != null) {
            management.put(path("api", "users", user.name()), Map.of("password", set.password(), "tags", user.tags()));
            // a generated or rotated password is news; one set as configured for a new user is what was asked
            if (decided.generated().containsKey(user.name()) || passwords.rotate().filter(user.name()::equals)
                    .isPresent()) {
                progress.accept("user " + user.name() + ": password set (" + set.source() + ")");
            }
            return;
        }
        JsonNode current = usersBefore.get(user.name());
        if (current == null) {
            throw new IllegalStateException("user " + user.name() + " was deleted while provisioning ran; provision "
                    + "again");
        }
        if (!tags(Definitions.JSON.valueToTree(user.tags())).equals(tags(current.path("tags")))) {
            management.put(path("api", "users", user.name()), Map.of(
                    "password_hash", current.path("password_hash").asString(""),
                    "hashing_algorithm", current.path("hashing_algorithm").asString("rabbit_password_hashing_sha256"),
                    "tags", user.tags()));
        }
    }

    private String applyParameter(Parameter parameter) {
        String where = path("api", "parameters", parameter.component(), parameter.vhost(), parameter.name());
        Optional<JsonNode> existing = management.get(where);
        if (existing.isPresent() && sameJson(existing.get().path("value"), Definitions.JSON.valueToTree(parameter.value()))) {
            return "unchanged";
        }
        management.put(where, ordered("component", parameter.component(), "vhost", parameter.vhost(),
                "name", parameter.name(), "value", parameter.value()));
        return existing.isPresent() ? "updated" : "created";
    }

    // ---- read back

    /** Adds what differs in {@code vhost}; returns its queue counts on the broker and in the plan. */
    private ProvisioningReport.QueueCount verifyVhost(Definitions part, String vhost, String label,
                                                      Map<String, JsonNode> users, List<Difference> differences) {
        if (management.get(path("api", "vhosts", vhost)).isEmpty()) {
            differences.add(new Difference(vhost, "vhost", "missing", "provision again"));
            return new ProvisioningReport.QueueCount(label, 0, 0, planned(part, "quorum"), planned(part, "stream"));
        }
        Map<String, JsonNode> permissions = byName(management.list(path("api", "vhosts", vhost, "permissions")), "user");
        for (Permission p : part.permissions()) {
            JsonNode actual = permissions.get(p.user());
            if (actual == null) {
                differences.add(new Difference(vhost, "permissions of " + p.user(), "missing: the user cannot use this vhost",
                        "provision again"));
            } else {
                compare(differences, vhost, "permissions of " + p.user(), "provision again (permissions are reset to the plan)",
                        ordered("configure", p.configure(), "write", p.write(), "read", p.read()), actual);
            }
        }
        List<JsonNode> topicPermissions = management.list(path("api", "vhosts", vhost, "topic-permissions"));
        for (TopicPermission p : part.topicPermissions()) {
            String object = "topic permissions of " + p.user() + " on " + p.exchange();
            Optional<JsonNode> actual = topicPermissions.stream().filter(t -> t.path("user").asString().equals(p.user())
                    && t.path("exchange").asString().equals(p.exchange())).findFirst();
            if (actual.isEmpty()) {
                differences.add(new Difference(vhost, object, "missing: the user may publish any routing key",
                        "provision again"));
            } else {
                compare(differences, vhost, object, "provision again (topic permissions are reset to the plan)",
                        ordered("write", p.write(), "read", p.read()), actual.get());
            }
        }
        Map<String, JsonNode> exchanges = byName(management.list(path("api", "exchanges", vhost)), "name");
        for (Exchange e : part.exchanges()) {
            verifyObject(differences, vhost, "exchange " + e.name(), exchanges.get(e.name()),
                    ordered("type", e.type(), "durable", e.durable(), "auto_delete", e.autoDelete(),
                            "internal", e.internal(), "arguments", e.arguments()),
                    "RabbitMQ keeps an existing exchange as it is: delete it (management UI or HTTP API) once nothing "
                            + "publishes to it, then provision again");
        }
        Map<String, JsonNode> queues = byName(management.list(path("api", "queues", vhost)), "name");
        for (Queue q : part.queues()) {
            verifyObject(differences, vhost, "queue " + q.name(), queues.get(q.name()),
                    ordered("durable", q.durable(), "auto_delete", q.autoDelete(), "arguments", q.arguments()),
                    "RabbitMQ keeps an existing queue with its arguments and never changes them: move its messages "
                            + "elsewhere (e.g. with a shovel), delete the queue (rabbitmqctl delete_queue -p " + vhost + " "
                            + q.name() + ") and provision again");
        }
        for (JsonNode queue : queues.values()) {
            if (isStale(part, vhost, queue)) {
                differences.add(staleQueue(vhost, queue));
            }
        }
        List<JsonNode> bindings = management.list(path("api", "bindings", vhost));
        for (Binding b : part.bindings()) {
            if (bindings.stream().noneMatch(existing -> isBinding(existing, b))) {
                differences.add(new Difference(vhost, describe(b), "missing: events with that routing key do not reach "
                        + b.destination(), "provision again"));
            }
        }
        Map<String, JsonNode> parameters = new LinkedHashMap<>();
        part.parameters().stream().map(Parameter::component).distinct().forEach(component ->
                management.list(path("api", "parameters", component, vhost))
                        .forEach(n -> parameters.put(component + "/" + n.path("name").asString(), n)));
        for (Parameter p : part.parameters()) {
            JsonNode actual = parameters.get(p.component() + "/" + p.name());
            String object = p.component() + " " + p.name();
            if (actual == null) {
                differences.add(new Difference(vhost, object, "missing", "provision again"));
            } else if (!sameJson(actual.path("value"), Definitions.JSON.valueToTree(p.value()))) {
                differences.add(new Difference(vhost, object, "has " + actual.path("value") + ", the plan says "
                        + Definitions.JSON.valueToTree(p.value()), "provision again (parameters are reset to the plan)"));
            }
        }
        long quorum = queues.values().stream().filter(q -> q.path("type").asString().equals("quorum")).count();
        long streams = queues.values().stream().filter(q -> q.path("type").asString().equals("stream")).count();
        return new ProvisioningReport.QueueCount(label, quorum, streams, planned(part, "quorum"), planned(part, "stream"));
    }

    private static Difference staleQueue(String vhost, JsonNode queue) {
        String name = queue.path("name").asString();
        String problem = "not in the plan: no service of this environment consumes it";
        if (isEmptyAndUnused(queue)) {
            return new Difference(vhost, "queue " + name, problem + " (empty, unused)",
                    "provision deletes it" + (name.endsWith(BrokerNames.DEAD_LETTER_SUFFIX)
                            ? " once the queue that dead-letters into it is gone" : ""));
        }
        List<String> holds = new ArrayList<>();
        if (!queue.path("messages").isNumber()) {
            holds.add("its message count is not known yet");
        } else if (queue.path("messages").asLong() > 0) {
            holds.add("it holds " + queue.path("messages").asLong() + " messages");
        }
        if (queue.path("consumers").asLong(0) > 0) {
            holds.add(queue.path("consumers").asLong() + " consumers read it");
        }
        return new Difference(vhost, "queue " + name, problem + "; " + String.join(", ", holds),
                "provision deletes only empty, unused queues: stop what consumes it, read or move its messages "
                        + "(management UI: Get messages, or Move messages with a shovel), then provision again");
    }

    private void verifyUser(User user, Definitions definitions, Map<String, JsonNode> users, List<Difference> differences) {
        JsonNode actual = users.get(user.name());
        if (actual == null) {
            differences.add(new Difference("", "user " + user.name(), "missing", "provision again"));
            return;
        }
        Optional<String> configured = passwords.credentials().configured(user.name());
        if (configured.isPresent() && !PasswordHashes.matches(actual.path("password_hash").asString(""),
                actual.path("hashing_algorithm").asString(""), configured.get()).orElse(true)) {
            String source = passwords.credentials().source(user.name());
            differences.add(new Difference("", "user " + user.name(), "its password on the broker is not the one in "
                    + source + ", so whoever reads that cannot log in", "stagecoach provision --rotate " + user.name()
                    + " sets it (provisioning leaves existing passwords alone), or correct " + source));
        }
        Set<String> plannedTags = tags(Definitions.JSON.valueToTree(user.tags()));
        Set<String> actualTags = tags(actual.path("tags"));
        if (!plannedTags.equals(actualTags)) {
            differences.add(new Difference("", "user " + user.name(), "has tags " + actualTags + ", the plan says "
                    + plannedTags, "provision again (tags are reset to the plan)"));
        }
        // isolation: a user must not reach any vhost, or publish on any exchange, that the plan does not grant
        Set<String> plannedVhosts = new TreeSet<>();
        definitions.permissions().stream().filter(p -> p.user().equals(user.name())).forEach(p -> plannedVhosts.add(p.vhost()));
        for (JsonNode granted : management.list(path("api", "users", user.name(), "permissions"))) {
            String vhost = granted.path("vhost").asString();
            if (!plannedVhosts.contains(vhost)) {
                differences.add(new Difference(vhost, "permissions of " + user.name(), "granted, but the plan gives "
                        + user.name() + " only " + plannedVhosts, "remove them: rabbitmqctl clear_permissions -p "
                        + vhost + " " + user.name()));
            }
        }
        for (JsonNode granted : management.list(path("api", "users", user.name(), "topic-permissions"))) {
            String vhost = granted.path("vhost").asString();
            String exchange = granted.path("exchange").asString();
            if (definitions.topicPermission(vhost, user.name(), exchange).isEmpty()) {
                differences.add(new Difference(vhost, "topic permissions of " + user.name() + " on " + exchange,
                        "granted, but not in the plan", "remove them: rabbitmqctl clear_topic_permissions -p " + vhost
                        + " " + user.name() + " " + exchange));
            }
        }
    }

    private static void verifyObject(List<Difference> differences, String vhost, String object, JsonNode actual,
                                     Map<String, Object> planned, String fix) {
        if (actual == null) {
            differences.add(new Difference(vhost, object, "missing", "provision again"));
        } else {
            compare(differences, vhost, object, fix, planned, actual);
        }
    }

    /** Adds one difference naming every planned field (and argument) whose actual value differs. */
    private static void compare(List<Difference> differences, String vhost, String object, String fix,
                                Map<String, Object> planned, JsonNode actual) {
        List<String> found = new ArrayList<>();
        planned.forEach((field, value) -> {
            JsonNode want = Definitions.JSON.valueToTree(value);
            JsonNode have = actual.path(field);
            if (want.isObject() && have.isObject()) {
                Set<String> keys = new TreeSet<>(want.propertyNames());
                keys.addAll(have.propertyNames());
                for (String key : keys) {
                    if (!sameJson(want.path(key), have.path(key))) {
                        found.add(field + " " + key + " is " + shown(have.path(key)) + " (plan: " + shown(want.path(key)) + ")");
                    }
                }
            } else if (!sameJson(want, have)) {
                found.add(field + " is " + shown(have) + " (plan: " + shown(want) + ")");
            }
        });
        if (!found.isEmpty()) {
            differences.add(new Difference(vhost, object, "differs from the plan: " + String.join(", ", found), fix));
        }
    }

    // ---- helpers

    private static int attempt(List<Difference> failures, String vhost, String object, Runnable action) {
        try {
            action.run();
            return 1;
        } catch (ManagementApiException e) {
            if (e.isAuthorisationProblem()) {
                throw e;
            }
            failures.add(new Difference(vhost, object, "could not be applied: " + e.getMessage(),
                    "fix the cause, then provision again"));
            return 0;
        }
    }

    private static boolean sameObject(Difference a, Difference b) {
        return a.vhost().equals(b.vhost()) && a.object().equals(b.object());
    }

    private static boolean isBinding(JsonNode existing, Binding b) {
        return existing.path("source").asString().equals(b.source())
                && existing.path("destination").asString().equals(b.destination())
                && existing.path("destination_type").asString().equals(b.destinationType())
                && existing.path("routing_key").asString().equals(b.routingKey())
                && sameJson(existing.path("arguments"), Definitions.JSON.valueToTree(b.arguments()));
    }

    private static String describe(Binding b) {
        return "binding " + b.source() + " -> " + b.destination() + " (" + b.routingKey() + ")";
    }

    /** JSON equality where numbers compare by value ({@code 5} equals {@code 5.0}) and a missing node equals nothing else. */
    static boolean sameJson(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isObject() && b.isObject()) {
            if (!new TreeSet<>(a.propertyNames()).equals(new TreeSet<>(b.propertyNames()))) {
                return false;
            }
            return a.propertyNames().stream().allMatch(k -> sameJson(a.get(k), b.get(k)));
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            Iterator<JsonNode> left = a.iterator();
            Iterator<JsonNode> right = b.iterator();
            while (left.hasNext()) {
                if (!sameJson(left.next(), right.next())) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    /** Tags come back as a list on 3.10 and as a comma-separated string from older brokers and definition files. */
    private static Set<String> tags(JsonNode node) {
        Set<String> tags = new TreeSet<>();
        if (node.isArray()) {
            node.forEach(t -> tags.add(t.asString()));
        } else if (node.isString()) {
            for (String tag : node.asString().split(",")) {
                if (!tag.isBlank()) {
                    tags.add(tag.trim());
                }
            }
        }
        return tags;
    }

    private static String shown(JsonNode node) {
        return node.isMissingNode() ? "absent" : node.toString();
    }

    private static String count(int planned, int created, String what) {
        return planned + " " + what + (created == 0 ? "" : " (" + created + " new)");
    }

    private static Map<String, JsonNode> byName(List<JsonNode> nodes, String field) {
        Map<String, JsonNode> map = new LinkedHashMap<>();
        nodes.forEach(n -> map.put(n.path(field).asString(), n));
        return map;
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Function<String, String> labels(Environments environments) {
        Map<String, String> byVhost = new LinkedHashMap<>();
        for (Environment e : environments.all()) {
            byVhost.put(e.vhost(), e.name().equals(e.vhost()) ? e.name() : e.name() + " (vhost " + e.vhost() + ")");
        }
        return vhost -> byVhost.getOrDefault(vhost, "vhost " + vhost);
    }
}
