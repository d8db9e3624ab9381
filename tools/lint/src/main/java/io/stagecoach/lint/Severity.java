package io.stagecoach.lint;

/** How bad a finding is: errors fail the lint run, warnings are printed and pass. */
public enum Severity {
	ERROR, WARNING;

	String label() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}
}
