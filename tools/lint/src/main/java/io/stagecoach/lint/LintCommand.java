package io.stagecoach.lint;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code stagecoach-lint [--render auto|kubectl|files] [--developers-group NAME] <folder>}: everything found under
 * the folder; or with inputs named instead: {@code --environments FILE}, {@code --overlay DIR} and
 * {@code --helm-values FILE} (repeatable), {@code --rabbitmq-definitions FILE}.
 * Exit status: 0 without errors, 1 with errors, 2 on a usage mistake or when there is nothing to check.
 */
@Command(name = "stagecoach-lint", sortOptions = false, usageHelpWidth = 110,
		customSynopsis = {"stagecoach-lint [--render auto|kubectl|files] [--developers-group NAME] <folder>",
				"       stagecoach-lint [options] [--environments FILE] [--overlay DIR]... [--helm-values FILE]...",
				"                       [--rabbitmq-definitions FILE]..."},
		description = "Check deploy files for isolation mistakes between environments: everything found under the "
				+ "folder, or only the inputs named.",
		footer = { "", "Exit status: 0 without errors, 1 with errors, 2 on a usage mistake or when there is nothing "
				+ "to check." })
public final class LintCommand implements Callable<Integer> {

	@Option(names = { "-h", "--help" }, usageHelp = true, description = "show this help and exit")
	boolean help;

	@Parameters(arity = "0..1", paramLabel = "<folder>",
			description = "the repository root, or any folder holding deploy files")
	Path root;

	@Option(names = "--render", paramLabel = "MODE",
			description = "how overlays are read: auto (kubectl kustomize when on the PATH), kubectl or files (env "
					+ Linter.RENDER_MODE_VARIABLE + ")")
	String render;

	@Option(names = "--developers-group", paramLabel = "NAME", defaultValue = "developers",
			description = "the group that may not change protected environments by hand (default ${DEFAULT-VALUE})")
	String developers;

	@Option(names = "--environments", paramLabel = "FILE", description = "the environments file")
	Path environments;

	// a workload's overlay is an overlay like any other; the option stays for scripts that use it
	@Option(names = { "--overlay", "--workload-overlay" }, paramLabel = "DIR",
			description = "an overlay folder (repeatable)")
	List<Path> overlays = new ArrayList<>();

	@Option(names = "--helm-values", paramLabel = "FILE", description = "a Helm values file (repeatable)")
	List<Path> values = new ArrayList<>();

	@Option(names = "--rabbitmq-definitions", paramLabel = "FILE",
			description = "a RabbitMQ definitions file (repeatable)")
	List<Path> definitions = new ArrayList<>();

	@Spec
	CommandSpec spec;

	private final PrintStream out;

	private final PrintStream err;

	private LintCommand(PrintStream out, PrintStream err) {
		this.out = out;
		this.err = err;
	}

	public static void main(String[] args) {
		System.exit(run(args, System.out, System.err));
	}

	static int run(String[] args, PrintStream out, PrintStream err) {
		CommandLine commandLine = new CommandLine(new LintCommand(out, err));
		commandLine.setOut(new PrintWriter(out, true));
		commandLine.setErr(new PrintWriter(err, true));
		return commandLine.execute(args);
	}

	@Override
	public Integer call() {
		String render = this.render != null ? this.render : System.getenv(Linter.RENDER_MODE_VARIABLE);
		boolean named = environments != null || !overlays.isEmpty() || !values.isEmpty() || !definitions.isEmpty();
		if (root == null && !named) {
			throw new ParameterException(spec.commandLine(), "Name the folder to check, or the inputs: --environments,"
					+ " --overlay, --helm-values, --rabbitmq-definitions");
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
			throw new ParameterException(spec.commandLine(), "--render: " + ex.getMessage());
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
}
