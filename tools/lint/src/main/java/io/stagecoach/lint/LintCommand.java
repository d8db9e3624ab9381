package io.stagecoach.lint;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code stagecoach-lint [--render auto|kubectl|files] [--developers-group NAME] <folder>}: everything found under
 * the folder; or with inputs named instead: {@code --environments FILE}, {@code --overlay DIR} and
 * {@code --helm-values FILE} (repeatable), {@code --rabbitmq-definitions FILE}.
 * Exit status: 0 without errors, 1 with errors, 2 on a usage mistake or when there is nothing to check.
 */
public final class LintCommand {

	private LintCommand() {
	}

	public static void main(String[] args) {
		System.exit(run(args, System.out, System.err));
	}

	static int run(String[] args, PrintStream out, PrintStream err) {
		String render = System.getenv(Linter.RENDER_MODE_VARIABLE);
		String developers = "developers";
		Path root = null;
		Path environments = null;
		List<Path> overlays = new ArrayList<>();
		List<Path> values = new ArrayList<>();
		List<Path> definitions = new ArrayList<>();
		try {
			for (int i = 0; i < args.length; i++) {
				switch (args[i]) {
					case "--render" -> render = args[++i];
					case "--developers-group" -> developers = args[++i];
					case "--environments" -> environments = Path.of(args[++i]);
					// a workload's overlay is an overlay like any other; the option stays for scripts that use it
					case "--overlay", "--workload-overlay" -> overlays.add(Path.of(args[++i]));
					case "--helm-values" -> values.add(Path.of(args[++i]));
					case "--rabbitmq-definitions" -> definitions.add(Path.of(args[++i]));
					case "-h", "--help" -> {
						out.println(usage());
						return 0;
					}
					default -> {
						if (args[i].startsWith("-") || root != null) {
							err.println("unexpected argument " + args[i] + "\n" + usage());
							return 2;
						}
						root = Path.of(args[i]);
					}
				}
			}
		}
		catch (ArrayIndexOutOfBoundsException ex) {
			err.println(args[args.length - 1] + " needs a value\n" + usage());
			return 2;
		}
		boolean named = environments != null || !overlays.isEmpty() || !values.isEmpty() || !definitions.isEmpty();
		if (root == null && !named) {
			err.println(usage());
			return 2;
		}
		if (root != null && !Files.isDirectory(root)) {
			err.println(root + " is not a folder: give the root of a repository, or the folder holding its deploy files");
			return 2;
		}
		List<Path> missing = new ArrayList<>(overlays.stream().filter(p -> !Files.isDirectory(p)).toList());
		missing.addAll(values.stream().filter(p -> !Files.isRegularFile(p)).toList());
		missing.addAll(definitions.stream().filter(p -> !Files.isRegularFile(p)).toList());
		if (environments != null && !Files.isRegularFile(environments)) {
			missing.add(environments);
		}
		if (!missing.isEmpty()) {
			err.println("no such file or folder: " + String.join(", ", missing.stream().map(Path::toString).toList()));
			return 2;
		}
		Linter linter;
		try {
			linter = new Linter(render, developers);
		}
		catch (IllegalArgumentException ex) {
			err.println(ex.getMessage());
			return 2;
		}
		Report report = named
				? linter.lint(LintInputs.named(root == null ? Path.of("") : root, environments, overlays, values,
						definitions))
				: linter.lint(root);
		report.lines().forEach(out::println);
		if (report.foundNothing()) {
			err.println(report.nothingToCheck());
			return 2;
		}
		return report.hasErrors() ? 1 : 0;
	}

	private static String usage() {
		return """
				usage: stagecoach-lint [--render auto|kubectl|files] [--developers-group NAME] <folder>
				       stagecoach-lint [options] [--environments FILE] [--overlay DIR]... [--helm-values FILE]...
				                       [--rabbitmq-definitions FILE]...""";
	}
}
