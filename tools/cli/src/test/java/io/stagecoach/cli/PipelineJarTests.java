package io.stagecoach.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineJarTests {

    static final FileTime PAST = FileTime.from(Instant.now().minusSeconds(3600));
    /** The project's fixed output timestamp: every jar of a reproducible build has it. */
    static final FileTime REPRODUCIBLE = FileTime.from(Instant.parse("2026-11-26T00:00:00Z"));

    @TempDir
    Path repository;

    Path target;

    @BeforeEach
    void sources() throws Exception {
        for (String module : PipelineJar.SOURCES) {
            Path path = repository.resolve(module);
            if (module.endsWith(".xml")) {
                Files.createDirectories(path.getParent());
                Files.writeString(path, "<project/>");
                Files.setLastModifiedTime(path, PAST);
                continue;
            }
            Path source = Files.createDirectories(path.resolve("src/main/java")).resolve("App.java");
            Files.writeString(source, "class App {}");
            Files.setLastModifiedTime(source, PAST);
            Files.writeString(path.resolve("pom.xml"), "<project/>");
            Files.setLastModifiedTime(path.resolve("pom.xml"), PAST);
        }
        target = Files.createDirectories(repository.resolve(PipelineJar.MODULE).resolve("target"));
    }

    Path built() throws Exception {
        Path exec = Files.writeString(target.resolve("stagecoach-local-pipeline-0.1.0-SNAPSHOT-exec.jar"), "exec");
        Files.setLastModifiedTime(exec, REPRODUCIBLE);
        Files.writeString(target.resolve("stagecoach-local-pipeline-0.1.0-SNAPSHOT.jar"), "plain");
        return exec;
    }

    @Test
    void findsTheExecutableJarNotThePlainOne() throws Exception {
        Path exec = built();

        assertThat(new PipelineJar(repository).jar()).contains(exec);
    }

    @Test
    void aJarWithTheFixedTimeOfAReproducibleBuildIsCurrentUntilASourceItIsMadeOfChanges() throws Exception {
        built();
        PipelineJar jar = new PipelineJar(repository);
        assertThat(jar.stale()).isFalse();

        Path test = Files.createDirectories(repository.resolve("services/promotion/src/test/java")).resolve("T.java");
        Files.writeString(test, "class T {}");
        assertThat(jar.stale()).as("tests are not in the jar").isFalse();

        Files.setLastModifiedTime(repository.resolve("services/promotion/src/main/java/App.java"),
                FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(jar.stale()).as("a service the jar contains changed").isTrue();
    }

    @Test
    void noJarIsStaleAndWithoutBuildingItIsAnErrorSayingHowToBuildIt() {
        PipelineJar jar = new PipelineJar(repository);

        assertThat(jar.stale()).isTrue();
        assertThat(jar.jar()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jar.prepare(true, repository.resolve("build.log"),
                        new java.io.PrintWriter(new java.io.StringWriter())))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("./mvnw -B -pl tools/local-pipeline -am package -DskipTests");
    }
}
