package io.stagecoach.lint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What to lint.
 *
 * @param root the repository root; findings name files relative to it
 * @param environmentsFile {@code environments.yaml}, or null while there is none
 * @param kustomizations folders with a kustomization file: found ones are sorted into overlays and bases,
 *        named ones are all overlays
 * @param helmValues Helm values files
 * @param rabbitmqDefinitions RabbitMQ definitions files ({@code definitions.json})
 * @param flagFiles feature flag files in flagd's format ({@code *.flagd.json})
 * @param searched the folder searched, or null when the inputs were named one by one
 */
public record LintInputs(Path root, Path environmentsFile, List<Path> kustomizations, List<Path> helmValues,
		List<Path> rabbitmqDefinitions, List<Path> flagFiles, Path searched) {

	/** Folders never searched: version control, build output, dependencies and test data are not deployed. */
	static final Set<String> SKIPPED_FOLDERS = Set.of("target", "build", "node_modules", "vendor", "testdata");

	/** For messages: where the search does not look. */
	static final String SKIPPED = "hidden folders, target, build, node_modules, vendor, testdata and src/test";

	static final Pattern VALUES_FILE = Pattern.compile("values.*\\.ya?ml");

	private static final Pattern ENVIRONMENTS_FILE = Pattern.compile("environments\\.ya?ml");

	public LintInputs {
		root = root.toAbsolutePath().normalize();
		kustomizations = kustomizations.stream().map(p -> p.toAbsolutePath().normalize()).toList();
		helmValues = helmValues.stream().map(p -> p.toAbsolutePath().normalize()).toList();
		rabbitmqDefinitions = rabbitmqDefinitions.stream().map(p -> p.toAbsolutePath().normalize()).toList();
		flagFiles = flagFiles.stream().map(p -> p.toAbsolutePath().normalize()).toList();
		searched = searched == null ? null : searched.toAbsolutePath().normalize();
	}

	/** Inputs named one by one: every kustomization given is an overlay. */
	public static LintInputs named(Path root, Path environmentsFile, List<Path> overlays, List<Path> helmValues,
			List<Path> rabbitmqDefinitions) {
		return new LintInputs(root, environmentsFile, overlays, helmValues, rabbitmqDefinitions, List.of(), null);
	}

	/**
	 * Everything under {@code folder}, at any depth: every kustomization ({@code kustomization.yaml},
	 * {@code kustomization.yml}, {@code Kustomization}), every Helm values file ({@code values*.yaml}), every
	 * RabbitMQ {@code definitions.json}, and the {@code environments.yaml} nearest the top (copies deeper
	 * down, such as a ConfigMap's source, are compared with it, not read as the path). Skips {@link #SKIPPED}.
	 * Files are named relative to {@code folder}, or to its parent when {@code folder} is a repository's
	 * {@code deploy} directory.
	 */
	public static LintInputs discover(Path folder) {
		Path searched = folder.toAbsolutePath().normalize();
		Path root = searched.getFileName() != null && searched.getFileName().toString().equals("deploy")
				&& searched.getParent() != null ? searched.getParent() : searched;
		Set<Path> kustomizations = new TreeSet<>();
		List<Path> values = new ArrayList<>();
		List<Path> environments = new ArrayList<>();
		List<Path> definitions = new ArrayList<>();
		List<Path> flags = new ArrayList<>();
		try {
			Files.walkFileTree(searched, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
					return dir.equals(searched) || !skipped(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
				}

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
					String name = file.getFileName().toString();
					if (FileRenderer.KUSTOMIZATION_FILES.contains(name)) {
						kustomizations.add(file.getParent());
					}
					else if (VALUES_FILE.matcher(name).matches()) {
						values.add(file);
					}
					else if (ENVIRONMENTS_FILE.matcher(name).matches()) {
						environments.add(file);
					}
					else if (name.equals("definitions.json")) {
						definitions.add(file);
					}
					else if (name.endsWith(FlagdChecks.FLAG_FILE_SUFFIX)) {
						flags.add(file);
					}
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFileFailed(Path file, IOException ex) {
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Path environmentsFile = environments.stream()
			.min(Comparator.comparingInt((Path p) -> p.getNameCount()).thenComparing(Comparator.naturalOrder()))
			.orElse(null);
		values.sort(Comparator.naturalOrder());
		definitions.sort(Comparator.naturalOrder());
		flags.sort(Comparator.naturalOrder());
		return new LintInputs(root, environmentsFile, List.copyOf(kustomizations), values, definitions, flags,
				searched);
	}

	private static boolean skipped(Path dir) {
		String name = dir.getFileName().toString();
		Path parent = dir.getParent();
		return name.startsWith(".") || SKIPPED_FOLDERS.contains(name)
				|| name.equals("test") && parent != null && parent.getFileName() != null
						&& parent.getFileName().toString().equals("src");
	}

	/** Whether the inputs were found by searching a folder (and must be sorted into overlays and bases). */
	boolean discovered() {
		return searched != null;
	}

	String display(Path path) {
		Path absolute = path.toAbsolutePath().normalize();
		Path shown = absolute.startsWith(root) ? root.relativize(absolute) : absolute;
		return shown.toString().replace('\\', '/');
	}
}
