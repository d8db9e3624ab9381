package io.stagecoach.cli;

import java.io.PrintWriter;
import java.nio.file.Path;

/** The local pipeline's jar for the end-to-end tests: built once when missing or stale, outside what they time. */
final class LocalPipelineJar {

    private static Path jar;

    private LocalPipelineJar() {
    }

    static synchronized Path current(Path log) throws InterruptedException {
        if (jar == null) {
            PipelineJar pipelineJar = new PipelineJar(ProvisionAndLintTests.REPOSITORY);
            jar = pipelineJar.prepare(false, log, new PrintWriter(System.out, true));
        }
        return jar;
    }
}
