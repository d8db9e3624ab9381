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
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** The runnable jars of the services and the demo workload, built with the Maven wrapper when missing or stale. */
final class ServiceJars {

    /** Modules every service jar contains: a change in any of them makes the jars stale. */
    static final List<String> SHARED = List.of("events-schema", "services/platform", "services/ledger",
            "services/service-support", "services/deploy-target");

    private final Path repository;

    ServiceJars(Path repository) {
        this.repository = repository;
    }

    static String module(String id) {
        return "services/" + id;
    }

    /**
     * The module's runnable jar, if it was built: {@code services/<id>/target/stagecoach-<id>-<version>.jar}, or the
     * {@code -exec} one where the module keeps its plain jar as the main artifact; whichever names a main class.
     */
    Optional<Path> jar(String id) {
        Path target = repository.resolve(module(id)).resolve("target");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        java.util.regex.Pattern runnable = java.util.regex.Pattern.compile(
                "stagecoach-" + java.util.regex.Pattern.quote(id) + "-[0-9][0-9A-Za-z.]*(-SNAPSHOT)?(-exec)?\\.jar");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> runnable.matcher(f.getFileName().toString()).matches())
                    .sorted(Comparator.comparing((Path f) -> !f.getFileName().toString().endsWith("-exec.jar")))
                    .filter(ServiceJars::hasMainClass).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hasMainClass(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            return manifest != null && manifest.getMainAttributes().getValue("Main-Class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The modules whose jar is missing or older than their sources or the shared modules' sources. */
    List<String> stale(List<String> ids) {
        FileTime shared = newest(SHARED.stream().map(repository::resolve).toList());
        FileTime root = modified(repository.resolve("pom.xml"));
        List<String> stale = new ArrayList<>();
        for (String id : ids) {
            Optional<Path> jar = jar(id);
            if (jar.isEmpty()) {
                stale.add(id);
                continue;
            }
            FileTime built = built(id, jar.get());
            FileTime sources = newest(List.of(repository.resolve(module(id))));
            if (sources.compareTo(built) > 0 || shared.compareTo(built) > 0 || root.compareTo(built) > 0) {
                stale.add(id);
            }
        }
        return stale;
    }

    /** Builds the modules with the Maven wrapper, output in {@code log}; throws when the build fails. */
    void build(List<String> ids, Path log, PrintWriter out) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of(repository.resolve("mvnw").toString(), "-B", "-q",
                "-pl", String.join(",", ids.stream().map(ServiceJars::module).toList()), "-am", "package",
                "-DskipTests"));
        out.println("  building " + String.join(", ", ids) + " (./mvnw ... package -DskipTests; log " + log + ")");
        out.flush();
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).directory(repository.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            long started = System.nanoTime();
            while (!process.waitFor(15, TimeUnit.SECONDS)) {
                out.println("  ... still building (" + EventLines.age(Duration.ofNanos(System.nanoTime() - started))
                        + ")");
                out.flush();
            }
            if (process.exitValue() != 0) {
                StringBuilder message = new StringBuilder("Building " + String.join(", ", ids) + " failed (exit "
                        + process.exitValue() + "); the end of " + log + ":");
                LocalProcesses.tail(log, 25).forEach(l -> message.append(System.lineSeparator()).append("  ").append(l));
                throw CliException.pipeline(message.toString());
            }
            out.println("  built in " + EventLines.age(Duration.ofNanos(System.nanoTime() - started)));
        } catch (IOException e) {
            throw CliException.pipeline("Cannot run " + command.get(0) + ": " + e.getMessage());
        }
    }

    /**
     * When the module was last built. Not the jar's own time alone: reproducible builds give every jar the
     * project's fixed output timestamp, so the compiled classes and the archiver's record tell instead.
     */
    private FileTime built(String id, Path jar) {
        Path target = repository.resolve(module(id)).resolve("target");
        FileTime built = modified(jar);
        for (Path evidence : List.of(target.resolve("maven-archiver").resolve("pom.properties"),
                target.resolve("classes"))) {
            FileTime time = Files.isDirectory(evidence) ? newestIn(evidence) : modified(evidence);
            if (time.compareTo(built) > 0) {
                built = time;
            }
        }
        return built;
    }

    private static FileTime newestIn(Path directory) {
        FileTime newest = FileTime.fromMillis(0);
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

    private static FileTime newest(List<Path> modules) {
        FileTime newest = FileTime.fromMillis(0);
        for (Path module : modules) {
            for (Path part : List.of(module.resolve("src"), module.resolve("pom.xml"))) {
                if (!Files.exists(part)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(part)) {
                    for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        FileTime time = modified(file);
                        if (time.compareTo(newest) > 0) {
                            newest = time;
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
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
