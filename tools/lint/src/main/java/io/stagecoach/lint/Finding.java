package io.stagecoach.lint;

import java.util.Comparator;

/**
 * One problem in one file, with what to do about it.
 *
 * @param severity whether it fails the run
 * @param file the file to change, relative to the repository root
 * @param lineNumber the line in it, or 0 when the problem is not on one line
 * @param problem what is wrong
 * @param fix how to put it right
 */
public record Finding(Severity severity, String file, int lineNumber, String problem, String fix) {

	static final Comparator<Finding> ORDER = Comparator.comparing(Finding::file)
		.thenComparing(Finding::severity)
		.thenComparingInt(Finding::lineNumber)
		.thenComparing(Finding::problem);

	static Finding error(String file, String problem, String fix) {
		return new Finding(Severity.ERROR, file, 0, problem, fix);
	}

	static Finding error(String file, int lineNumber, String problem, String fix) {
		return new Finding(Severity.ERROR, file, lineNumber, problem, fix);
	}

	static Finding warning(String file, String problem, String fix) {
		return new Finding(Severity.WARNING, file, 0, problem, fix);
	}

	/** The finding as one line: {@code <file>[:<line>]: <severity>: <problem> — fix: <how>}. */
	public String line() {
		return file + (lineNumber > 0 ? ":" + lineNumber : "") + ": " + severity.label() + ": " + problem + " — fix: " + fix;
	}

	@Override
	public String toString() {
		return line();
	}
}
