package io.stagecoach.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The repository's deploy/ as tests see it, and copies of it to break. */
final class DeployFiles {

	/** The shipped deploy directory, from this module's directory. */
	static final Path SHIPPED = Path.of("../../deploy");

	static final Path SHARED_EVERYTHING = Path.of("src/test/resources/fixtures/shared-everything");

	/** base/ and overlays/dev|staging|prd/ at the root, Helm values inside the overlays, nothing wrong. */
	static final Path SEED_LAYOUT = Path.of("src/test/resources/fixtures/seed-layout");

	/** {@link #SEED_LAYOUT} with eight isolation mistakes (its README lists them). */
	static final Path SEED_LAYOUT_MISTAKES = Path.of("src/test/resources/fixtures/seed-layout-mistakes");

	private DeployFiles() {
	}

	/** The shipped deploy/ copied under {@code repository}, for a test to change one thing in. */
	static Path copyShipped(Path repository) {
		Path deploy = repository.resolve("deploy");
		copy(SHIPPED, deploy);
		return deploy;
	}

	/** A fixture copied to {@code to}, for a test to rearrange. */
	static Path copyFixture(Path fixture, Path to) {
		copy(fixture, to);
		return to;
	}

	static void move(Path from, Path to) {
		try {
			Files.createDirectories(to.getParent());
			Files.move(from, to);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static void delete(Path file) {
		try {
			Files.delete(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Changes a JSON file through its tree, whatever its formatting. */
	static void editJson(Path file, Consumer<ObjectNode> change) {
		JsonMapper mapper = JsonMapper.builder().build();
		ObjectNode tree = (ObjectNode) mapper.readTree(read(file));
		change.accept(tree);
		write(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
	}

	static void copy(Path from, Path to) {
		try (Stream<Path> files = Files.walk(from)) {
			for (Path source : files.toList()) {
				Path target = to.resolve(from.relativize(source).toString());
				if (Files.isDirectory(source)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(source, target);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Replaces text that must be there: a test whose edit no longer applies fails instead of passing. */
	static void edit(Path file, String from, String to) {
		String text = read(file);
		assertThat(text).as("%s must contain the text the test changes", file).contains(from);
		write(file, text.replace(from, to));
	}

	static void append(Path file, String text) {
		write(file, read(file) + text);
	}

	static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static void write(Path file, String text) {
		try {
			Files.createDirectories(file.getParent());
			Files.writeString(file, text);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}
}
