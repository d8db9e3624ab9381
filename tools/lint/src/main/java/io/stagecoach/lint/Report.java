package io.stagecoach.lint;

import java.util.ArrayList;
import java.util.List;

/**
 * What one lint run found.
 *
 * @param findings every finding, ordered by file
 * @param renderedWith how the kustomize overlays were read
 * @param checked what was read, for the summary line
 * @param placements which environment each kustomization and values file was checked as, or why not
 * @param environments the environments checked, in promotion order, and where their names came from
 * @param nothingToCheck why nothing was checked (where the linter looked and for what), or null
 */
public record Report(List<Finding> findings, String renderedWith, List<String> checked, List<Placement> placements,
		String environments, String nothingToCheck) {

	public Report {
		findings = List.copyOf(findings);
		checked = List.copyOf(checked);
		placements = List.copyOf(placements);
	}

	public boolean hasErrors() {
		return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
	}

	/** No environments file, overlay, values file or definitions found: a wrong path, not a clean repository. */
	public boolean foundNothing() {
		return nothingToCheck != null;
	}

	public long count(Severity severity) {
		return findings.stream().filter(f -> f.severity() == severity).count();
	}

	/**
	 * What the command prints: how each file was placed, each finding, then the summary; no summary when
	 * nothing was found ({@link #nothingToCheck()} says why, and a clean "0 errors" would mislead).
	 */
	public List<String> lines() {
		List<String> lines = new ArrayList<>();
		placements.forEach(p -> lines.add(p.line()));
		findings.forEach(f -> lines.add(f.line()));
		if (!foundNothing()) {
			lines.add(summary());
		}
		return lines;
	}

	public String summary() {
		return "stagecoach-lint: " + count(Severity.ERROR) + " error(s), " + count(Severity.WARNING)
				+ " warning(s) in " + (checked.isEmpty() ? "nothing" : String.join(", ", checked)) + "; environments "
				+ environments + "; overlays " + renderedWith;
	}
}
