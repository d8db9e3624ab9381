package io.stagecoach.cli;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Principal;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * What {@code approve} and {@code reject} share: find the pending request in a gated environment's ledger, publish
 * {@code approval.decided} for exactly its release as that environment's chatops user (with {@code user_id}, which
 * the approval service checks), and optionally wait for the approval service's answer.
 */
abstract class DecisionCommand implements Callable<Integer> {

    static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    @ParentCommand
    Stagecoach root;

    @Parameters(index = "0", paramLabel = "REQUEST-ID",
            description = "the approval request (shown by `stagecoach status` and in approval.requested events)")
    String requestId;

    @Option(names = "--as", required = true, paramLabel = "PERSON", description = "who decides, as approvers are configured")
    String approver;

    @Option(names = "--env", paramLabel = "ENV",
            description = "the gated environment holding the request (default: look in every manual environment)")
    String environmentName;

    @Option(names = "--wait", description = "wait for the approval service's answer (granted, rejected or refused)")
    boolean wait;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "with --wait: how long (default 30s)")
    Duration timeout;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    EnvironmentOptions environmentOptions;

    abstract ApprovalDecided.Decision decision();

    abstract String reason();

    abstract boolean override();

    @Override
    public Integer call() {
        CliContext context = root.context;
        requestId = requestId.trim().toLowerCase(java.util.Locale.ROOT);
        if (!UUID.matcher(requestId).matches()) {
            throw CliException.usage("REQUEST-ID '" + requestId + "' is not a request id: it is a UUID such as "
                    + "1f0c6a4e-3b5d-5e7f-9a1b-2c3d4e5f6a7b (see `stagecoach status`)");
        }
        if (!wait && timeout != null) {
            throw CliException.usage("--timeout only applies with --wait; add --wait or leave --timeout out");
        }
        Environments environments = environmentOptions.environments(context);
        List<Environment> candidates = candidates(context, environments);
        Broker broker = amqp.broker(context);

        Map<String, AuditRecord> requests = new ConcurrentHashMap<>();
        BlockingQueue<AuditRecord> live = new LinkedBlockingQueue<>();
        List<String> searched = new ArrayList<>();
        for (Environment environment : candidates) {
            LedgerFeed feed = Ledgers.start(broker, environments, environment, record -> {
                if (record.event().data() instanceof ApprovalRequested) {
                    requests.put(((ApprovalRequested) record.event().data()).requestId(), record);
                }
                live.add(record);
            });
            try {
                EnvironmentLedger ledger = feed.ledger();
                Optional<EnvironmentLedger.Decided> decided = ledger.decided(requestId);
                if (decided.isPresent()) {
                    throw CliException.pipeline("Request " + requestId + " in " + environment.name() + " was already "
                            + decided.get().outcome().name().toLowerCase(java.util.Locale.ROOT) + " at "
                            + EventLines.TIMESTAMP.format(decided.get().at()) + "; nothing was sent");
                }
                Optional<EnvironmentLedger.PendingApproval> pending = ledger.pending(requestId);
                if (pending.isEmpty()) {
                    searched.add(environment.name() + pendingList(ledger));
                    continue;
                }
                live.clear();
                return decide(context, broker, environment, pending.get(), requests.get(requestId), live);
            } finally {
                feed.close();
            }
        }
        throw CliException.pipeline("Unknown request id " + requestId + ": no pending approval request with that id in "
                + String.join("; ", searched) + ". See `stagecoach status` for the pending ones.");
    }

    private int decide(CliContext context, Broker broker, Environment environment,
                       EnvironmentLedger.PendingApproval pending, AuditRecord requested,
                       BlockingQueue<AuditRecord> live) {
        ApprovalRequested request = pending.request();
        ApprovalDecided data = new ApprovalDecided(requestId, request.release().service(), request.release().version(),
                request.release().digest(), environment.name(), decision(), approver, reason(), override());
        String correlation = requested != null ? requested.event().correlationid() : BuildCommand.runId(request.release());
        CloudEvent<ApprovalDecided> event = CloudEvent.of(data, BuildCommand.SOURCE, environment.name(), correlation,
                pending.eventId(), EventIds.derive("approval.decided", requestId, approver, decision().name(),
                        override() ? "override" : "normal"));
        EventSender sender = new EventSender(broker);
        byte[] body = sender.encode(event, Map.of("data.approver", "--as", "data.reason", "--reason"));
        sender.publish(environment, Principal.CHATOPS, event, body);
        String verb = decision() == ApprovalDecided.Decision.APPROVE ? (override() ? "approves (override)" : "approves")
                : "rejects";
        context.out().println("Published approval.decided." + environment.name() + ": " + approver + " " + verb + " "
                + data.service() + " " + data.version() + " (request " + requestId + ") as "
                + broker.userFor(environment, Principal.CHATOPS) + ", event " + event.id());
        if (!wait) {
            context.out().println("The approval service answers with approval.granted, approval.rejected or "
                    + "approval.refused: see `stagecoach audit --env " + environment.name() + "`");
            return ExitCodes.OK;
        }
        return awaitAnswer(context, live, event, timeout == null ? DEFAULT_WAIT : timeout, request);
    }

    private int awaitAnswer(CliContext context, BlockingQueue<AuditRecord> live, CloudEvent<ApprovalDecided> decision,
                            Duration wait, ApprovalRequested request) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                AuditRecord record = live.poll(200, TimeUnit.MILLISECONDS);
                if (record == null) {
                    continue;
                }
                Object data = record.event().data();
                boolean answer = data instanceof ApprovalGranted g && g.requestId().equals(requestId)
                        || data instanceof ApprovalRejected r && r.requestId().equals(requestId)
                        || data instanceof ApprovalRefused f && decision.id().equals(record.event().causationid());
                if (!answer) {
                    continue;
                }
                context.out().println(EventLines.watch(record.event(), record.publisher()));
                if (data instanceof ApprovalRefused refused) {
                    context.out().println("The approval service refused the decision: " + refused.reason() + " — "
                            + refused.message());
                    return ExitCodes.PIPELINE;
                }
                return ExitCodes.OK;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw CliException.pipeline("No answer from the approval service within " + EventLines.age(wait)
                + (request.minApprovals() > 1 ? " (the request needs " + request.minApprovals()
                + " approvals from different people)" : "") + "; is it running (`stagecoach up`)?");
    }

    private List<Environment> candidates(CliContext context, Environments environments) {
        if (environmentName != null) {
            Environment environment = environmentOptions.environment(context, environmentName, "--env");
            if (!environment.isManual()) {
                throw CliException.usage("--env " + environmentName + " has an automatic gate: approvals exist only "
                        + "for manual environments (" + manualNames(environments) + ")");
            }
            return List.of(environment);
        }
        List<Environment> manual = environments.all().stream().filter(Environment::isManual).toList();
        if (manual.isEmpty()) {
            throw CliException.usage(environments.source() + " has no manual gate, so there is nothing to approve");
        }
        return manual;
    }

    private static String manualNames(Environments environments) {
        List<String> names = environments.all().stream().filter(Environment::isManual).map(Environment::name).toList();
        return names.isEmpty() ? "none here" : String.join(", ", names);
    }

    private static String pendingList(EnvironmentLedger ledger) {
        List<EnvironmentLedger.PendingApproval> pending = ledger.pendingApprovals();
        if (pending.isEmpty()) {
            return " (nothing pending there)";
        }
        Instant now = Instant.now();
        return " (pending there: " + String.join(", ", pending.stream().map(p -> p.requestId() + " for "
                + EventLines.release(p.request()) + ledger.opened(p.requestId())
                        .map(o -> ", waiting " + EventLines.age(o.at(), now)).orElse(", not opened yet")).toList())
                + ")";
    }
}
