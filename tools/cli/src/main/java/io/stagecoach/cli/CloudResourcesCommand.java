package io.stagecoach.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.stagecoach.platform.cloud.AwsResources;
import io.stagecoach.platform.environments.Environments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code stagecoach cloud-resources}: each environment's AWS resources as ACK objects, from environments.yaml. */
@Command(name = "cloud-resources", sortOptions = false,
        description = {"Generate each environment's AWS resources as Kubernetes objects.", "",
                "Write, per environment, the AWS Controllers for Kubernetes objects of what environments.yaml",
                "names for it: its ECR repository (images expire after its image-retention), its S3 bucket (public",
                "access blocked, encrypted, versioned) and its IAM role for the promoted services' service accounts",
                "(IRSA), whose policy names that environment's repository and bucket only. One folder per",
                "environment with a kustomization, for the cluster's GitOps controller to apply.", ""},
        footer = {"", "Examples:",
                "  stagecoach cloud-resources --oidc-provider oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
                "  stagecoach cloud-resources --environments deploy/environments.yaml --out deploy/k8s/cloud --check ...",
                "",
                "--check writes nothing and exits 1 when a file differs from what it would write.",
                ExitCodes.SECTION})
final class CloudResourcesCommand implements Callable<Integer> {

    static final Path DEFAULT_OUT = Path.of("deploy", "k8s", "cloud");

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--oidc-provider", required = true, paramLabel = "ISSUER",
            description = "the cluster's OIDC issuer as IAM names it, without https://")
    String oidcProvider;

    @Option(names = "--out", paramLabel = "DIR", description = "where the folders go (default deploy/k8s/cloud)")
    Path out;

    @Option(names = "--check", description = "write nothing; exit 1 if a file differs from what would be written")
    boolean check;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        Environments environments = environmentOptions.environments(context);
        AwsResources.Plan plan = AwsResources.plan(environments, oidcProvider.strip());
        if (!plan.problems().isEmpty()) {
            throw CliException.usage("cannot generate the cloud resources: " + String.join("; ", plan.problems())
                    + " (see the comments at the top of deploy/environments.yaml)");
        }
        Path folder = context.resolve(out != null ? out : DEFAULT_OUT);
        int differing = 0;
        try {
            for (Map.Entry<String, String> file : plan.files().entrySet()) {
                Path path = folder.resolve(file.getKey());
                boolean same = Files.isRegularFile(path) && Files.readString(path).equals(file.getValue());
                if (check) {
                    if (!same) {
                        differing++;
                        context.out().println("differs: " + path);
                    }
                    continue;
                }
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
                context.out().println((same ? "unchanged " : "wrote ") + path);
            }
        } catch (IOException e) {
            throw CliException.pipeline("cannot write the cloud resources under " + folder + ": " + e.getMessage());
        }
        if (check && differing > 0) {
            context.out().println(differing + " file(s) differ from environments.yaml's plan: run stagecoach "
                    + "cloud-resources without --check to write them");
            return ExitCodes.PIPELINE;
        }
        context.out().println((check ? "Checked " : "Generated ") + plan.files().size() + " file(s) for "
                + EnvironmentOptions.names(environments) + " under " + folder);
        return ExitCodes.OK;
    }
}
