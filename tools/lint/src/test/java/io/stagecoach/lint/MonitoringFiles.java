package io.stagecoach.lint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.stagecoach.platform.environments.Environments;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** deploy/prometheus and deploy/grafana as the tests read them; copies and edits through {@link DeployFiles}. */
final class MonitoringFiles {

	static final Path DEPLOY = DeployFiles.SHIPPED.toAbsolutePath().normalize();

	static final Path PROMETHEUS = DEPLOY.resolve("prometheus");

	static final Path GRAFANA = DEPLOY.resolve("grafana");

	static final YAMLMapper YAML = YAMLMapper.builder().build();

	private MonitoringFiles() {
	}

	static Environments environments() {
		return Environments.load(DEPLOY.resolve("environments.yaml"));
	}

	static JsonNode yaml(Path file) {
		return YAML.readTree(file.toFile());
	}

	/** The files of a folder whose names end in {@code suffix}, sorted. */
	static List<Path> files(Path folder, String suffix) {
		try (Stream<Path> files = Files.list(folder)) {
			return files.filter(file -> file.getFileName().toString().endsWith(suffix)).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The same file names, relative to {@code base}, as arguments for a tool run there. */
	static String[] relative(Path base, List<Path> files) {
		return files.stream().map(file -> base.relativize(file).toString()).toArray(String[]::new);
	}

}
