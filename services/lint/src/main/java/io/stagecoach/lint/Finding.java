package io.stagecoach.lint;

import java.util.Comparator;

/**
 * One problem in one file, with what to do about it.
 *
 * @param severity whether it fails the run
 * @param file the file to change, relative to the repository root
 * @param problem what is wrong
 * @param fix how to put it right
 */
public record Finding(Severity severity, String file, String problem, String fix) {

	static final Comparator<Finding> ORDER = Comparator.comparing(Finding::file)
		.thenComparing(Finding::severity)
		.thenComparing(Finding::problem);

	static Finding error(String file, String problem, String fix) {
		return new Finding(Severity.ERROR, file, problem, fix);
	}

	static Finding warning(String file, String problem, String fix) {
		return new Finding(Severity.WARNING, file, problem, fix);
	}

	/** The finding as one line: {@code <file>: <severity>: <problem> — fix: <how>}. */
	public String line() {
		return file + ": " + severity.label() + ": " + problem + " — fix: " + fix;
	}

	@Override
	public String toString() {
		return line();
	}
}
