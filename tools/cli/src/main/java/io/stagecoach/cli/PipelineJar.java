package io.stagecoach.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local pipeline's executable jar ({@code tools/local-pipeline}, every service of every environment in one
 * JVM), built with the Maven wrapper when it is missing or older than the sources it is made of.
 */
final class PipelineJar {

    static final String MODULE = "tools/local-pipeline";
    /** What the jar is made of: a change in any of these makes it stale. */
    static final List<String> SOURCES = List.of("pom.xml", "events-schema", "libs/pom.xml", "libs/platform",
            "libs/ledger", "libs/service-support", "libs/deploy-target", "libs/deploy-support", "services/pom.xml",
            "services/build-completed", "services/promotion", "services/smoke-test", "services/rollback",
            "services/approval", "tools/pom.xml", "tools/demo-workload", MODULE);
    private static final Pattern EXEC = Pattern.compile("stagecoach-local-pipeline-[0-9][0-9A-Za-z.]*(-SNAPSHOT)?-exec\\.jar");
    private static final Pattern PLAIN = Pattern.compile("stagecoach-local-pipeline-[0-9][0-9A-Za-z.]*(-SNAPSHOT)?\\.jar");

    private final Path repository;

    PipelineJar(Path repository) {
        this.repository = repository;
    }

    /** {@code tools/local-pipeline/target/stagecoach-local-pipeline-<version>-exec.jar}, if it was built. */
    Optional<Path> jar() {
        return find(EXEC);
    }

    /** Whether the jar is missing or older than any of its sources. */
    boolean stale() {
        Optional<Path> jar = jar();
        return jar.isEmpty() || newestSource().compareTo(built(jar.get())) > 0;
    }

    /**
     * The jar to run: built first when it is stale (unless {@code noBuild}), then unpacked once per build into plain
     * jars, which start the pipeline's contexts several times faster ({@link ExtractedJar}).
     *
     * @throws CliException when there is no jar, or the build or unpacking failed
     */
    Path prepare(boolean noBuild, Path log, PrintWriter out) throws InterruptedException {
        if (!noBuild && stale()) {
            build(log, out);
        }
        Path jar = jar().orElseThrow(() -> CliException.pipeline("No local pipeline jar in " + MODULE + "/target; "
                + "build it with ./mvnw -B -pl " + MODULE + " -am package -DskipTests"));
        return ExtractedJar.of(jar, out);
    }

    /** Builds the module and what it needs with the Maven wrapper, output in {@code log}; throws when it fails. */
    void build(Path log, PrintWriter out) throws InterruptedException {
        List<String> command = List.of(repository.resolve("mvnw").toString(), "-B", "-q", "-pl", MODULE, "-am",
                "package", "-DskipTests");
        out.println("  building the local pipeline (./mvnw -B -q -pl " + MODULE + " -am package -DskipTests; log "
                + log + ")");
        out.flush();
        long started = System.nanoTime();
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).directory(repository.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            int status = process.waitFor();
            if (status != 0) {
                StringBuilder message = new StringBuilder("Building the local pipeline failed (exit " + status
                        + "); the end of " + log + ":");
                PipelineProcess.tail(log, 25).forEach(l -> message.append(System.lineSeparator()).append("  ")
                        .append(l));
                throw CliException.pipeline(message.toString());
            }
            // a build that changed nothing keeps the jar's fixed time (reproducible builds): mark it current
            Path jar = jar().orElseThrow(() -> CliException.pipeline("The build made no jar in " + MODULE + "/target"));
            Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis()));
            out.println("  built in " + EventLines.age(Duration.ofNanos(System.nanoTime() - started)));
        } catch (IOException e) {
            throw CliException.pipeline("Cannot run " + command.get(0) + ": " + e.getMessage());
        }
    }

    private Optional<Path> find(Pattern name) {
        Path target = repository.resolve(MODULE).resolve("target");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> name.matcher(f.getFileName().toString()).matches()).sorted().findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * When the jar was last built. Not its own time alone: reproducible builds give it the project's fixed output
     * timestamp, so the plain jar, the compiled classes and the archiver's record tell too.
     */
    private FileTime built(Path jar) {
        Path target = repository.resolve(MODULE).resolve("target");
        List<FileTime> evidence = new ArrayList<>(List.of(modified(jar),
                modified(target.resolve("maven-archiver").resolve("pom.properties")), newestIn(target.resolve("classes"))));
        find(PLAIN).ifPresent(plain -> evidence.add(modified(plain)));
        return evidence.stream().max(FileTime::compareTo).orElseThrow();
    }

    private FileTime newestSource() {
        FileTime newest = FileTime.fromMillis(0);
        for (String source : SOURCES) {
            Path path = repository.resolve(source);
            // what is in the jar: the main sources and resources, and the build file
            List<Path> parts = Files.isDirectory(path) ? List.of(path.resolve("src/main"), path.resolve("pom.xml"))
                    : List.of(path);
            for (Path part : parts) {
                FileTime time = Files.isDirectory(part) ? newestIn(part) : modified(part);
                if (time.compareTo(newest) > 0) {
                    newest = time;
                }
            }
        }
        return newest;
    }

    private static FileTime newestIn(Path directory) {
        FileTime newest = FileTime.fromMillis(0);
        if (!Files.isDirectory(directory)) {
            return newest;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                FileTime time = modified(file);
                if (time.compareTo(newest) > 0) {
                    newest = time;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return newest;
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
