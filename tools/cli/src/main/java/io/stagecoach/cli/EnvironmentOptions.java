package io.stagecoach.cli;

import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.environments.InvalidEnvironmentsException;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** Which promotion path a command works on: the environments file and an optional vhost prefix. */
final class EnvironmentOptions {

    static final String FILE_VARIABLE = "STAGECOACH_ENVIRONMENTS_FILE";
    static final String PREFIX_VARIABLE = "STAGECOACH_VHOST_PREFIX";
    static final Path CONVENTIONAL_FILE = Path.of("deploy", "environments.yaml");

    @Option(names = "--environments", paramLabel = "FILE",
            description = "environments file (env " + FILE_VARIABLE + "; default deploy/environments.yaml when it "
                    + "exists here, else the shipped dev -> staging -> prod)")
    Path file;

    @Option(names = "--vhost-prefix", paramLabel = "PREFIX",
            description = "prefix of every vhost, for a second pipeline on one broker (env " + PREFIX_VARIABLE + ")")
    String vhostPrefix;

    private Environments loaded;
    private Path loadedFrom;

    Environments environments(CliContext context) {
        if (loaded != null) {
            return loaded;
        }
        String variable = context.variable(FILE_VARIABLE);
        Path chosen = file != null ? file : variable != null ? Path.of(variable) : null;
        try {
            Environments environments;
            if (chosen != null) {
                loadedFrom = context.resolve(chosen);
                environments = Environments.load(loadedFrom);
            } else if (Files.isRegularFile(context.resolve(CONVENTIONAL_FILE))) {
                loadedFrom = context.resolve(CONVENTIONAL_FILE);
                environments = Environments.load(loadedFrom);
            } else {
                environments = Environments.loadDefault();
            }
            String prefix = vhostPrefix(context);
            loaded = prefix == null ? environments : environments.withVhostPrefix(prefix);
            return loaded;
        } catch (InvalidEnvironmentsException e) {
            throw CliException.usage(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--vhost-prefix: " + e.getMessage());
        }
    }

    /** The file the environments came from, or null for the shipped default. */
    Path file(CliContext context) {
        environments(context);
        return loadedFrom;
    }

    String vhostPrefix(CliContext context) {
        return context.setting(vhostPrefix, PREFIX_VARIABLE, null);
    }

    /** The environment called {@code name}; an unknown name is a usage error listing the known ones. */
    Environment environment(CliContext context, String name, String option) {
        Environments environments = environments(context);
        return environments.find(name).orElseThrow(() -> CliException.usage(option + ": unknown environment '" + name
                + "'; " + environments.source() + " defines " + names(environments)));
    }

    static String names(Environments environments) {
        return String.join(", ", environments.all().stream().map(Environment::name).toList());
    }
}
