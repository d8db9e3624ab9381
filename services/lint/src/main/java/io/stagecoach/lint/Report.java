package io.stagecoach.lint;

import java.util.List;

/**
 * What one lint run found.
 *
 * @param findings every finding, ordered by file
 * @param renderedWith how the kustomize overlays were read
 * @param checked what was read, for the summary line
 */
public record Report(List<Finding> findings, String renderedWith, List<String> checked) {

	public Report {
		findings = List.copyOf(findings);
		checked = List.copyOf(checked);
	}

	public boolean hasErrors() {
		return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
	}

	public long count(Severity severity) {
		return findings.stream().filter(f -> f.severity() == severity).count();
	}

	public String summary() {
		return "stagecoach-lint: " + count(Severity.ERROR) + " error(s), " + count(Severity.WARNING)
				+ " warning(s) in " + (checked.isEmpty() ? "nothing" : String.join(", ", checked))
				+ " (overlays " + renderedWith + ")";
	}
}
