package io.stagecoach.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The local pipeline's executable jar unpacked into plain jars (Spring Boot's {@code extract}: the application jar
 * and {@code lib/}), once per build, beside the jar in {@code target/extracted/<checksum>}.
 *
 * <p>Why: the pipeline starts a dozen Spring contexts in one JVM, and each looks up its classes and resources
 * again. From the nested executable jar every lookup goes through Spring Boot's jar URL handler; a start with 50
 * promoted services spent about 40% of its CPU samples there. From plain jars the JVM's own class path answers, and
 * the same start took 9 to 12 s instead of 18 to 30 s on a loaded two-core machine.
 */
final class ExtractedJar {

    static final String FOLDER = "extracted";
    private static final String COMPLETE = ".complete";

    private ExtractedJar() {
    }

    /**
     * The unpacked application jar of {@code executable}, unpacking it first when this build was not yet: into a
     * folder of its own, moved into place whole, so two commands unpacking at once both end with a complete one.
     * Earlier builds' folders are removed.
     *
     * @throws CliException when unpacking fails
     */
    static Path of(Path executable, PrintWriter out) throws InterruptedException {
        Path folder = executable.resolveSibling(FOLDER);
        Path unpacked = folder.resolve(checksum(executable));
        Path application = unpacked.resolve(executable.getFileName());
        if (Files.isRegularFile(unpacked.resolve(COMPLETE)) && Files.isRegularFile(application)) {
            return application;
        }
        long started = System.nanoTime();
        Path partial = folder.resolve(unpacked.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(folder);
            PipelineProcess.deleteTree(partial);
            extract(executable, partial);
            Files.createFile(partial.resolve(COMPLETE));
            try {
                Files.move(partial, unpacked, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                // another command unpacked the same build meanwhile
                PipelineProcess.deleteTree(partial);
            } catch (IOException e) {
                if (!Files.isRegularFile(unpacked.resolve(COMPLETE))) {
                    throw e;
                }
                PipelineProcess.deleteTree(partial);
            }
            removeOthers(folder, unpacked);
        } catch (IOException | UncheckedIOException e) {
            throw CliException.pipeline("Cannot unpack " + executable + " into " + unpacked + ": " + e.getMessage());
        }
        out.println("  unpacked the local pipeline's jars (once per build) in "
                + EventLines.age(Duration.ofNanos(System.nanoTime() - started)));
        out.flush();
        return application;
    }

    private static void extract(Path executable, Path destination) throws IOException, InterruptedException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djarmode=tools", "-jar", executable.toString(), "extract", "--destination", destination.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        int status = process.waitFor();
        if (status != 0 || !Files.isRegularFile(destination.resolve(executable.getFileName()))) {
            throw new IOException("java -Djarmode=tools -jar ... extract exited " + status + ": " + output.strip());
        }
    }

    /** Its content, not its time: a reproducible build gives every jar the same fixed time. */
    private static String checksum(Path file) {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                crc.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw CliException.pipeline("Cannot read " + file + ": " + e.getMessage());
        }
        return Long.toHexString(crc.getValue()) + "-" + Long.toHexString(file.toFile().length());
    }

    /** Earlier builds' folders: a pipeline still running from one has opened its jars, which stay readable. */
    private static void removeOthers(Path folder, Path current) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path entry : entries.filter(e -> !e.equals(current)
                    && !e.getFileName().toString().contains(".partial-")).toList()) {
                PipelineProcess.deleteTree(entry);
            }
        }
    }
}
