package io.stagecoach.cli;

import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the Stagecoach repository is (its jars and Maven wrapper) and the folder local processes live in. */
final class LocalOptions {

    static final String REPOSITORY_VARIABLE = "STAGECOACH_REPOSITORY";

    @Option(names = "--home", paramLabel = "DIR",
            description = "folder for logs, pid files and the GitOps repository (default .stagecoach in the repository)")
    Path home;

    /** The repository: {@code $STAGECOACH_REPOSITORY} (set by ./stagecoach), else the working directory. */
    static Path repository(CliContext context) {
        String variable = context.variable(REPOSITORY_VARIABLE);
        Path repository = variable != null ? Path.of(variable).toAbsolutePath().normalize() : context.workingDirectory();
        if (!Files.isRegularFile(repository.resolve("mvnw")) || !Files.isDirectory(repository.resolve(PipelineJar.MODULE))) {
            throw CliException.usage("Run this from the Stagecoach repository (through ./stagecoach), or set "
                    + REPOSITORY_VARIABLE + " to it: " + repository + " has no mvnw and no " + PipelineJar.MODULE);
        }
        return repository;
    }

    Path home(CliContext context, String sub) {
        Path base = home != null ? context.resolve(home) : repository(context).resolve(".stagecoach");
        return sub == null ? base : base.resolve(sub);
    }
}
