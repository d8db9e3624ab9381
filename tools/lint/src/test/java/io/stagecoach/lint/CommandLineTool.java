package io.stagecoach.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A validator the monitoring files are checked with, run as a process. A missing one fails the test (naming the
 * Debian package that has it) instead of skipping it: files nobody checked would pass as checked.
 */
record CommandLineTool(String program, String debianPackage) {

	static final CommandLineTool PROMTOOL = new CommandLineTool("promtool", "prometheus");

	static final CommandLineTool AMTOOL = new CommandLineTool("amtool", "prometheus-alertmanager");

	/** The Alertmanager itself, for what amtool cannot show (inhibition). */
	static final CommandLineTool ALERTMANAGER = new CommandLineTool("prometheus-alertmanager",
			"prometheus-alertmanager");

	private static final long TIMEOUT_SECONDS = 120;

	/** What the run printed (standard output and error together) and how it ended. */
	record Result(int exitCode, String output) {

		Result succeeded(String what) {
			assertThat(exitCode).as("%s failed (exit %d):%n%s", what, exitCode, output).isZero();
			return this;
		}

	}

	/** Fails the test when the program is not installed. */
	void requireInstalled() {
		if (!Renderer.onPath(program)) {
			fail("%s is not on the PATH; it checks the monitoring files under deploy/: apt-get install -y %s", program,
					debianPackage);
		}
	}

	/** Runs the program; its output is what it wrote to standard output and error. */
	Result run(Path workingDirectory, String... arguments) {
		return run(true, workingDirectory, arguments);
	}

	/** Runs the program for what it writes to standard output alone (its logs on standard error are dropped). */
	Result standardOutput(Path workingDirectory, String... arguments) {
		return run(false, workingDirectory, arguments);
	}

	private Result run(boolean withStandardError, Path workingDirectory, String... arguments) {
		requireInstalled();
		List<String> command = new ArrayList<>();
		command.add(program);
		command.addAll(List.of(arguments));
		try {
			ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
			if (withStandardError) {
				builder.redirectErrorStream(true);
			}
			else {
				builder.redirectError(ProcessBuilder.Redirect.DISCARD);
			}
			Process process = builder.start();
			process.getOutputStream().close();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return fail("%s did not finish in %d s", String.join(" ", command), TIMEOUT_SECONDS);
			}
			return new Result(process.exitValue(), output);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
