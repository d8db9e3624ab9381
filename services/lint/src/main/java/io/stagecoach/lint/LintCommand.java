package io.stagecoach.lint;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code stagecoach-lint [--render auto|kubectl|files] [--developers-group NAME] <repository-root>}, or with
 * explicit inputs instead of a root: {@code --environments FILE}, {@code --overlay DIR},
 * {@code --workload-overlay DIR}, {@code --helm-values FILE} (each repeatable), {@code --rabbitmq-definitions FILE}.
 * Exit status: 0 without errors, 1 with errors, 2 on a usage mistake.
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
		List<Path> workloads = new ArrayList<>();
		List<Path> values = new ArrayList<>();
		Path definitions = null;
		try {
			for (int i = 0; i < args.length; i++) {
				switch (args[i]) {
					case "--render" -> render = args[++i];
					case "--developers-group" -> developers = args[++i];
					case "--environments" -> environments = Path.of(args[++i]);
					case "--overlay" -> overlays.add(Path.of(args[++i]));
					case "--workload-overlay" -> workloads.add(Path.of(args[++i]));
					case "--helm-values" -> values.add(Path.of(args[++i]));
					case "--rabbitmq-definitions" -> definitions = Path.of(args[++i]);
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
		boolean explicit = environments != null || !overlays.isEmpty() || !workloads.isEmpty() || !values.isEmpty()
				|| definitions != null;
		if (root == null && !explicit) {
			err.println(usage());
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
		Report report = explicit
				? linter.lint(new LintInputs(root == null ? Path.of("") : root, environments, overlays, workloads, values,
						definitions))
				: linter.lint(root);
		report.findings().forEach(finding -> out.println(finding.line()));
		out.println(report.summary());
		return report.hasErrors() ? 1 : 0;
	}

	private static String usage() {
		return """
				usage: stagecoach-lint [--render auto|kubectl|files] [--developers-group NAME] <repository-root>
				       stagecoach-lint [options] [--environments FILE] [--overlay DIR]... [--workload-overlay DIR]...
				                       [--helm-values FILE]... [--rabbitmq-definitions FILE]""";
	}
}
