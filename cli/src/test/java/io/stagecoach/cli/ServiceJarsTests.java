package io.stagecoach.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceJarsTests {

    @TempDir
    Path repository;

    Path module(String id) throws Exception {
        Path module = Files.createDirectories(repository.resolve("services").resolve(id));
        Files.createDirectories(module.resolve("src/main/java"));
        Files.writeString(module.resolve("src/main/java/App.java"), "class App {}");
        Files.writeString(module.resolve("pom.xml"), "<project/>");
        return module;
    }

    static Path jar(Path file, boolean runnable) throws Exception {
        Files.createDirectories(file.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (runnable) {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "App");
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file), manifest)) {
            out.flush();
        }
        return file;
    }

    @Test
    void picksTheRunnableJarEvenWhenThePlainOneIsTheMainArtifact() throws Exception {
        Path module = module("promotion");
        jar(module.resolve("target/stagecoach-promotion-0.1.0-SNAPSHOT.jar"), false);
        Path exec = jar(module.resolve("target/stagecoach-promotion-0.1.0-SNAPSHOT-exec.jar"), true);
        jar(module.resolve("target/stagecoach-promotion-0.1.0-SNAPSHOT-tests.jar"), false);

        assertThat(new ServiceJars(repository).jar("promotion")).contains(exec);
    }

    @Test
    void aJarWithTheReproducibleBuildsFixedTimeIsCurrentWhenItsClassesAreNewerThanTheSources() throws Exception {
        Path module = module("approval");
        FileTime past = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(module.resolve("src/main/java/App.java"), past);
        Files.setLastModifiedTime(module.resolve("pom.xml"), past);
        Path jar = jar(module.resolve("target/stagecoach-approval-0.1.0-SNAPSHOT.jar"), true);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Files.createDirectories(module.resolve("target/classes"));
        Files.writeString(module.resolve("target/classes/App.class"), "compiled");

        assertThat(new ServiceJars(repository).stale(List.of("approval"))).isEmpty();

        Files.setLastModifiedTime(module.resolve("src/main/java/App.java"), FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(new ServiceJars(repository).stale(List.of("approval"))).containsExactly("approval");
    }

    @Test
    void aModuleWithoutAJarIsStale() throws Exception {
        module("rollback");

        assertThat(new ServiceJars(repository).stale(List.of("rollback"))).containsExactly("rollback");
        assertThat(new ServiceJars(repository).jar("rollback")).isEmpty();
    }
}
