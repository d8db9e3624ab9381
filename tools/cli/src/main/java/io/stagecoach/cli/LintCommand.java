package io.stagecoach.cli;

import io.stagecoach.lint.Linter;
import io.stagecoach.lint.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code stagecoach lint}: isolation between environments, checked in a repository's deploy files. */
@Command(name = "lint", sortOptions = false,
        description = {"Check a repository's deploy files for isolation mistakes.", "", "Check a repository's deploy files for what breaks isolation between environments:",
                "shared namespaces, vhosts, buckets, roles, image repositories or credentials; namespaces without",
                "quota or default-deny network policy; hand edits allowed in protected environments; an",
                "environments.yaml the services would refuse.",
                "",
                "Finds every kustomization and Helm values file (values*.yaml) under PATH, wherever they are, and",
                "ties each to an environment by its folder or file name (the environment's name, its namespace, or",
                "an alias: prd/production for prod, stg/stage for staging, development for dev) or the namespace",
                "it names; it prints which, then the findings.",
                ""},
        footer = {"", "Examples:",
                "  stagecoach lint",
                "  stagecoach lint ../my-service --render files",
                "",
                "Exits 1 when there are errors (warnings alone exit 0), 2 when there is nothing to check under PATH.",
                ExitCodes.SECTION})
final class LintCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH",
            description = "the repository root, or any folder holding deploy files (default .)")
    Path path;

    @Option(names = "--render", paramLabel = "MODE",
            description = "how overlays are read: auto (kubectl kustomize when on the PATH), kubectl or files")
    String render;

    @Option(names = "--developers-group", paramLabel = "NAME", defaultValue = "developers",
            description = "the group that may not change protected environments by hand (default ${DEFAULT-VALUE})")
    String developersGroup;

    @Override
    public Integer call() {
        CliContext context = root.context;
        Path repository = context.resolve(path == null ? Path.of(".") : path);
        if (!Files.isDirectory(repository)) {
            throw CliException.usage("PATH " + repository + " is not a directory: give the root of a repository, "
                    + "or the folder holding its deploy files");
        }
        Linter linter;
        try {
            linter = new Linter(context.setting(render, Linter.RENDER_MODE_VARIABLE, null), developersGroup);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--render: " + e.getMessage());
        }
        Report report = linter.lint(repository);
        report.lines().forEach(context.out()::println);
        if (report.foundNothing()) {
            throw CliException.usage(report.nothingToCheck());
        }
        return report.hasErrors() ? ExitCodes.PIPELINE : ExitCodes.OK;
    }
}
