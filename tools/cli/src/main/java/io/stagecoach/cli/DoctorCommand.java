package io.stagecoach.cli;

import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.BrokerDefinitions;
import io.stagecoach.platform.topology.DeadLetterQueues;
import io.stagecoach.platform.topology.Definitions;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provisioner;
import io.stagecoach.platform.topology.ProvisioningReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import static io.stagecoach.platform.topology.ManagementClient.path;

/** {@code stagecoach doctor}: whether RabbitMQ can carry this pipeline, asked of its management API. */
@Command(name = "doctor", sortOptions = false,
        description = {"Check that RabbitMQ can carry the pipeline, and say what to fix.", "",
                "Asks the management API, one line per check: the plugins Stagecoach needs, memory and disk",
                "alarms, the open-file limit against the file handles the quorum queues reserve (and how many",
                "more environments like these fit), whether the broker holds what the environments file plans",
                "(as provision --check), whether the hand-off shovels run, and the dead letters waiting. Changes",
                "nothing. Exit 0 when every check is ok, 1 when one is not.", ""},
        footer = {"", "Examples:",
                "  stagecoach doctor",
                "  stagecoach doctor --vhost-prefix demo --management-url http://rabbit:15672",
                ExitCodes.SECTION})
final class DoctorCommand implements Callable<Integer> {

    /** The plugins the topology needs: shovels carry hand-offs, streams hold the audit, Prometheus scrapes. */
    static final List<String> PLUGINS = List.of("rabbitmq_management", "rabbitmq_stream", "rabbitmq_shovel",
            "rabbitmq_shovel_management", "rabbitmq_prometheus");

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Mixin
    ManagementOptions management;

    @Mixin
    EnvironmentOptions environmentOptions;

    private PrintWriter out;
    private int problems;

    @Override
    public Integer call() {
        CliContext context = root.context;
        Environments environments = environmentOptions.environments(context);
        ManagementClient client = management.client(context);
        out = context.out();
        ManagementOptions.call(() -> {
            List<JsonNode> nodes = client.list("/api/nodes");
            String version = client.get("/api/overview").map(o -> o.path("rabbitmq_version").asString("?"))
                    .orElse("?");
            line("broker", true, "RabbitMQ " + version + ", " + nodes.size() + " node" + (nodes.size() == 1 ? "" : "s")
                    + " (" + nodes.stream().map(n -> n.path("name").asString()).collect(Collectors.joining(", "))
                    + ")", null);
            checkNodes(nodes);
            checkFileHandles(client, nodes, environments);
            checkPlan(client, environments);
            checkShovels(client, environments);
            checkDeadLetters(client, environments);
            return null;
        });
        out.println(problems == 0 ? "Everything checked is ok." : problems + " check" + (problems == 1 ? "" : "s")
                + " not ok: see the lines above for what to fix.");
        out.flush();
        return problems == 0 ? ExitCodes.OK : ExitCodes.PIPELINE;
    }

    private void checkNodes(List<JsonNode> nodes) {
        for (JsonNode node : nodes) {
            String name = node.path("name").asString();
            Set<String> enabled = new java.util.TreeSet<>();
            node.path("enabled_plugins").forEach(p -> enabled.add(p.asString()));
            List<String> missing = PLUGINS.stream().filter(p -> !enabled.contains(p)).toList();
            line("plugins", missing.isEmpty(), missing.isEmpty() ? String.join(", ", PLUGINS) + " enabled on " + name
                    : name + " lacks " + String.join(", ", missing),
                    "rabbitmq-plugins enable " + String.join(" ", missing));
            boolean memory = node.path("mem_alarm").asBoolean(false);
            boolean disk = node.path("disk_free_alarm").asBoolean(false);
            line("alarms", !memory && !disk, !memory && !disk ? "no memory or disk alarm on " + name
                    : name + " has a " + (memory ? "memory" : "") + (memory && disk ? " and a " : "")
                    + (disk ? "disk" : "") + " alarm: it blocks every publisher",
                    memory ? "free memory or raise vm_memory_high_watermark" : "free disk space or lower disk_free_limit");
        }
    }

    private void checkFileHandles(ManagementClient client, List<JsonNode> nodes, Environments environments) {
        long limit = nodes.stream().mapToLong(n -> n.path("fd_total").asLong(0)).filter(fd -> fd > 0).min().orElse(0);
        if (limit == 0) {
            line("file handles", true, "the management API does not report an open-file limit", null);
            return;
        }
        long quorum = client.list("/api/queues?columns=type").stream()
                .filter(q -> "quorum".equals(q.path("type").asString())).count();
        Definitions plan = BrokerDefinitions.plan(environments);
        long planned = plan.queues().stream().filter(q -> "quorum".equals(String.valueOf(q.arguments()
                .get("x-queue-type")))).count();
        long perEnvironment = Math.max(1, planned / Math.max(1, environments.all().size()));
        long room = Math.max(0, (limit - 100) / ProvisioningReport.FILE_HANDLES_PER_QUORUM_QUEUE);
        long reserved = quorum * ProvisioningReport.FILE_HANDLES_PER_QUORUM_QUEUE;
        boolean ok = quorum * 4 <= room * 3;
        line("file handles", ok, String.format(Locale.ROOT, "%d quorum queues reserve %d of the open-file limit of "
                + "%d, which leaves room for about %d; about %d more environments of %d quorum queues fit", quorum,
                reserved, limit, room, Math.max(0, room - quorum) / perEnvironment, perEnvironment),
                "raise the limit and restart RabbitMQ (ulimit -n 65536 before rabbitmq-server, or LimitNOFILE=65536 "
                        + "in its systemd unit; RabbitMQ recommends at least 65,536), or delete vhosts nobody uses");
    }

    private void checkPlan(ManagementClient client, Environments environments) {
        ProvisioningReport report = new Provisioner(client, Credentials.fromVariables(root.context.env()), line -> { })
                .verify(environments);
        List<ProvisioningReport.Difference> differences = report.differences();
        String names = EnvironmentOptions.names(environments);
        line("definitions", report.isClean(), report.isClean() ? "the broker holds the plan of " + names
                : differences.size() + " difference" + (differences.size() == 1 ? "" : "s") + " from the plan of "
                + names + ", first: " + differences.get(0), "stagecoach provision");
    }

    private void checkShovels(ManagementClient client, Environments environments) {
        List<String> stopped = new ArrayList<>();
        int planned = 0;
        for (Definitions.Parameter shovel : BrokerDefinitions.plan(environments).parameters()) {
            if (!BrokerDefinitions.SHOVEL_COMPONENT.equals(shovel.component())) {
                continue;
            }
            planned++;
            boolean running = client.list(path("api", "shovels", shovel.vhost())).stream()
                    .anyMatch(s -> shovel.name().equals(s.path("name").asString())
                            && "running".equals(s.path("state").asString()));
            if (!running) {
                stopped.add(shovel.name() + " in " + shovel.vhost());
            }
        }
        line("shovels", stopped.isEmpty(), stopped.isEmpty() ? "the " + planned + " hand-off shovel"
                + (planned == 1 ? "" : "s") + " run" + (planned == 1 ? "s" : "")
                : "not running: " + String.join(", ", stopped),
                "stagecoach provision; if it stays down, see its state in the management UI (Admin > Shovel Status)");
    }

    private void checkDeadLetters(ManagementClient client, Environments environments) {
        DeadLetterQueues queues = new DeadLetterQueues(client);
        List<String> holding = new ArrayList<>();
        for (Environment environment : environments.all()) {
            long total = 0;
            for (String inbox : DeadLetterQueues.inboxes(environments, environment)) {
                total += queues.peek(environment.vhost(), inbox, 1).total();
            }
            if (total > 0) {
                holding.add(total + " in " + environment.name());
            }
        }
        line("dead letters", holding.isEmpty(), holding.isEmpty() ? "none waiting"
                : String.join(", ", holding) + ": events that did not take effect",
                "stagecoach dead-letters --env ENV to see why, then stagecoach dead-letters replay --env ENV");
    }

    private void line(String check, boolean ok, String what, String fix) {
        if (!ok) {
            problems++;
        }
        out.printf("%-13s %s %s%s%n", check, ok ? "ok     " : "NOT OK ", what, ok || fix == null ? "" : " — fix: " + fix);
        out.flush();
    }
}
