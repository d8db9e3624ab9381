package io.stagecoach.lint;

/**
 * Which environment a deploy file was checked as, and why; or why it was not checked on its own.
 *
 * @param file the kustomization or values file, relative to the repository root
 * @param environment the environment it was checked as, or null when it was not checked on its own
 * @param reason how its environment was found ({@code folder "prd", an alias of prod}), or why it is not
 *        an environment's ({@code a base of overlays/dev, overlays/prd})
 */
public record Placement(String file, String environment, String reason) {

	/** {@code checked overlays/prd/kustomization.yaml as prod: folder "prd", an alias of prod}. */
	public String line() {
		return environment == null ? "skipped " + file + ": " + reason
				: "checked " + file + " as " + environment + ": " + reason;
	}

	boolean checked() {
		return environment != null;
	}
}
