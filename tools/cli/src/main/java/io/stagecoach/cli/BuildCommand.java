package io.stagecoach.cli;

import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Flags;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code stagecoach build}: CI announces a finished build; the release's run starts. */
@Command(name = "build", sortOptions = false,
        description = {"Publish a build (build.completed) as CI, optionally following its run.", "", "Publish a build.completed event into the first environment, as its CI user:",
                "validated first, persistent, mandatory and confirmed (a build no queue takes is an error).",
                "With --wait, follow the release's run and tell how it ends.", ""},
        footer = {"", "Examples:",
                "  stagecoach build --service knative-lambda-builder --version 1.4.2 \\",
                "      --image ghcr.io/acme/knative-lambda-builder@sha256:4d3e9a23...82e2a \\",
                "      --commit 096a8cbc4bf9cc786c545235c3b4d54204b8c1c3 --author jane",
                "  stagecoach build ... --build-url \"$CI_JOB_URL\" --wait --timeout 15m",
                "  stagecoach build ... --version 1.4.3 --flags flags/checkout.flagd.json",
                "",
                "--flags attaches a flagd flags file (checked against flagd's schema first): every environment the",
                "release reaches gets it as the service's flags, and a rollback puts the earlier release's back. A",
                "flag change alone is a new version of the same image.",
                "The run id (correlation id of every event of this release) is derived from service, version and",
                "digest, so publishing the same build again is a duplicate the pipeline skips.",
                "--wait exits 0 when the release waits at a manual gate or passed the last environment,",
                "1 when it was blocked, failed, rolled back or the timeout passed, and 4 at once when a newer",
                "release replaced it on its way (\"superseded in staging by 1.4.3\").",
                ExitCodes.SECTION})
final class BuildCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    static final String SOURCE = "/stagecoach/cli";
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    @ParentCommand
    Stagecoach root;

    @Option(names = "--service", required = true, paramLabel = "NAME", description = "the service that was built")
    String service;

    @Option(names = "--version", required = true, paramLabel = "VERSION",
            description = "its Semantic Version, without a leading v (e.g. 1.4.2)")
    String version;

    @Option(names = "--image", required = true, paramLabel = "REPO@sha256:DIGEST",
            description = "the image by digest, e.g. ghcr.io/acme/app@sha256:<64 hex digits>")
    String image;

    @Option(names = "--commit", required = true, paramLabel = "SHA", description = "the Git commit it was built from")
    String commit;

    @Option(names = "--author", required = true, paramLabel = "NAME",
            description = "who authored the change (never allowed to approve it)")
    String author;

    @Option(names = "--build-url", paramLabel = "URL", description = "where the CI build can be seen")
    String buildUrl;

    @Option(names = "--flags", paramLabel = "FILE",
            description = "a flagd feature flags file the release carries into each environment")
    java.nio.file.Path flags;

    @Option(names = "--wait", description = "follow the run until it reaches a gate, the end, or fails")
    boolean wait;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "with --wait: how long to follow (default 10m)")
    Duration timeout;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        if (!wait && timeout != null) {
            throw CliException.usage("--timeout only applies with --wait; add --wait or leave --timeout out");
        }
        int at = image.lastIndexOf('@');
        if (at <= 0 || at == image.length() - 1) {
            throw CliException.usage("--image '" + image + "' names no digest: give REPO@sha256:<64 hex digits>, e.g. "
                    + "ghcr.io/acme/" + service + "@sha256:4d3e9a23...; releases are promoted by digest, never by tag");
        }
        Environments environments = environmentOptions.environments(context);
        Environment first = environments.first();
        Release release = new Release(service, version, image.substring(0, at), image.substring(at + 1), commit, author,
                flags == null ? null : flags(flags));
        String runId = runId(release);
        CloudEvent<BuildCompleted> event = CloudEvent.of(new BuildCompleted(release, buildUrl),
                buildUrl != null ? buildUrl : SOURCE, first.name(), runId, null,
                EventIds.derive("build.completed", service, version, release.digest()));

        Broker broker = amqp.broker(context);
        EventSender sender = new EventSender(broker);
        byte[] body = sender.encode(event, Map.of(
                "data.release.service", "--service", "subject", "--service", "data.release.version", "--version",
                "data.release.image", "--image", "data.release.digest", "--image", "data.release.commit", "--commit",
                "data.release.author", "--author", "data.buildUrl", "--build-url", "source", "--build-url"));
        sender.publish(first, Principal.CI, event, body);
        context.out().println("Published build.completed." + first.name() + " for " + service + " " + version
                + " (event " + event.id() + ", run " + runId + ") as " + broker.userFor(first, Principal.CI));
        context.out().flush();
        if (!wait) {
            return ExitCodes.OK;
        }
        RunFollower.Outcome outcome = new RunFollower(broker, environments, context.out()).follow(runId,
                timeout == null ? DEFAULT_TIMEOUT : timeout);
        context.out().println(outcome.summary());
        return outcome.status();
    }

    /** The flags of {@code file}, or a usage error saying what is wrong with them and how to fix it. */
    static Flags flags(java.nio.file.Path file) {
        String content;
        try {
            content = java.nio.file.Files.readString(file);
        } catch (java.nio.charset.MalformedInputException e) {
            throw CliException.usage("--flags " + file + " is not UTF-8 text: save it as UTF-8 JSON");
        } catch (java.io.IOException e) {
            throw CliException.usage("--flags " + file + " cannot be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "): give the path of a flagd file");
        }
        Flags flags = Flags.of(content);
        java.util.List<String> problems = flags.problems();
        if (!problems.isEmpty()) {
            throw CliException.usage("--flags " + file + " cannot be deployed: " + String.join("; ", problems)
                    + "; correct it as https://flagd.dev/reference/flag-definitions/ says (stagecoach lint checks it"
                    + " too)");
        }
        return flags;
    }

    /** The run of a release: the correlation id of every event of its journey. */
    static String runId(Release release) {
        return EventIds.derive(release.service(), release.version(), release.digest());
    }
}
