package io.stagecoach.lint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What to lint.
 *
 * @param root the repository root; findings name files relative to it
 * @param environmentsFile {@code deploy/environments.yaml}, or null while there is none
 * @param overlays Stagecoach's overlays, one directory per environment
 * @param workloadOverlays the promoted workload's overlays, one directory per environment
 * @param helmValues Helm values files, {@code values-<environment>.yaml}
 * @param rabbitmqDefinitions {@code deploy/rabbitmq/definitions.json}, or null while there is none
 */
public record LintInputs(Path root, Path environmentsFile, List<Path> overlays, List<Path> workloadOverlays,
		List<Path> helmValues, Path rabbitmqDefinitions) {

	public LintInputs {
		root = root.toAbsolutePath().normalize();
		overlays = List.copyOf(overlays);
		workloadOverlays = List.copyOf(workloadOverlays);
		helmValues = List.copyOf(helmValues);
	}

	/**
	 * The usual layout under a repository root (or under a {@code deploy} directory given directly):
	 * {@code deploy/environments.yaml}, {@code deploy/k8s/overlays/*}, {@code deploy/k8s/workloads/overlays/*},
	 * {@code deploy/helm/*}{@code /values-*.yaml}, {@code deploy/rabbitmq/definitions.json}.
	 */
	public static LintInputs discover(Path root) {
		Path absolute = root.toAbsolutePath().normalize();
		Path deploy = Files.isDirectory(absolute.resolve("deploy")) ? absolute.resolve("deploy") : absolute;
		Path repository = deploy.equals(absolute) && absolute.getParent() != null ? absolute.getParent() : absolute;
		Path environments = deploy.resolve("environments.yaml");
		Path definitions = deploy.resolve("rabbitmq/definitions.json");
		return new LintInputs(repository, Files.isRegularFile(environments) ? environments : null,
				kustomizations(deploy.resolve("k8s/overlays")), kustomizations(deploy.resolve("k8s/workloads/overlays")),
				helmValues(deploy.resolve("helm")), Files.isRegularFile(definitions) ? definitions : null);
	}

	String display(Path path) {
		Path absolute = path.toAbsolutePath().normalize();
		Path shown = absolute.startsWith(root) ? root.relativize(absolute) : absolute;
		return shown.toString().replace('\\', '/');
	}

	private static List<Path> kustomizations(Path parent) {
		if (!Files.isDirectory(parent)) {
			return List.of();
		}
		try (Stream<Path> children = Files.list(parent)) {
			return children.filter(dir -> FileRenderer.kustomizationFile(dir) != null).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static List<Path> helmValues(Path helm) {
		if (!Files.isDirectory(helm)) {
			return List.of();
		}
		try (Stream<Path> files = Files.walk(helm, 2)) {
			return files.filter(f -> f.getFileName().toString().matches("values-.+\\.ya?ml")).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}
}
