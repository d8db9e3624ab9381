package io.stagecoach.lint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * Checks a repository's deploy files for what breaks isolation between environments: shared namespaces,
 * vhosts, buckets, IAM roles, image repositories and credentials; overlays without a ResourceQuota or a
 * default-deny NetworkPolicy; developers who can change a protected environment by hand; manual gates
 * without approvers; RabbitMQ users permitted on more than one environment's vhost; committed secrets.
 * <p>
 * Overlays are read as {@code kubectl kustomize} renders them when kubectl is on the PATH, else from
 * their YAML files directly (see {@link FileRenderer} for what that covers).
 */
public final class Linter {

	/** Environment variable that forces how overlays are read: {@code kubectl}, {@code files} or {@code auto}. */
	public static final String RENDER_MODE_VARIABLE = "STAGECOACH_LINT_RENDER";

	private final Renderer renderer;

	private final String developersGroup;

	/** Reads overlays the way {@link #RENDER_MODE_VARIABLE} says, {@code auto} when unset. */
	public Linter() {
		this(System.getenv(RENDER_MODE_VARIABLE), "developers");
	}

	/**
	 * @param renderMode {@code kubectl}, {@code files} or {@code auto} (null means auto)
	 * @param developersGroup the group that may not change protected environments by hand
	 */
	public Linter(String renderMode, String developersGroup) {
		this(Renderer.select(renderMode), developersGroup);
	}

	Linter(Renderer renderer, String developersGroup) {
		this.renderer = renderer;
		this.developersGroup = developersGroup;
	}

	public Report lint(Path repositoryRoot) {
		return lint(LintInputs.discover(repositoryRoot));
	}

	public Report lint(LintInputs inputs) {
		List<Finding> findings = new ArrayList<>();
		List<Claim> claims = new ArrayList<>();
		List<String> checked = new ArrayList<>();

		EnvironmentsFile environments = null;
		if (inputs.environmentsFile() != null) {
			String display = inputs.display(inputs.environmentsFile());
			try {
				environments = EnvironmentsFile.read(inputs.environmentsFile(), display);
				findings.addAll(EnvironmentChecks.gates(environments));
				claims.addAll(Claims.fromEnvironments(environments));
			}
			catch (RenderException ex) {
				findings.add(Finding.error(display, ex.getMessage(), "make it valid YAML with an environments: list"));
			}
			checked.add(display);
		}
		List<String> order = environments == null ? List.of() : environments.names();
		Set<String> protectedEnvironments = protectedEnvironments(environments, inputs);

		List<Rendered> rendered = new ArrayList<>();
		inputs.overlays().forEach(dir -> rendered.add(new Rendered(dir, false)));
		inputs.workloadOverlays().forEach(dir -> rendered.add(new Rendered(dir, true)));
		// kubectl spends most of its time starting: render the overlays side by side
		List<Object> results = rendered.parallelStream().map(r -> render(inputs, r.dir(), r.workload())).toList();
		List<Overlay> overlays = new ArrayList<>();
		for (Object result : results) {
			if (result instanceof Overlay overlay) {
				overlays.add(overlay);
			}
			else {
				findings.add((Finding) result);
			}
		}
		for (Overlay overlay : overlays) {
			claims.addAll(Claims.fromOverlay(overlay));
			findings.addAll(OverlayChecks.namespaces(overlay));
			findings.addAll(OverlayChecks.committedSecrets(overlay));
			findings.addAll(OverlayChecks.environmentVariable(overlay));
			findings.addAll(OverlayChecks.peopleAccess(overlay, protectedEnvironments.contains(overlay.environment()),
					developersGroup));
			if (!overlay.workload()) {
				findings.addAll(OverlayChecks.guardrails(overlay));
			}
			if (environments != null) {
				findings.addAll(EnvironmentChecks.overlayMatches(overlay, environments));
			}
		}
		if (!inputs.overlays().isEmpty()) {
			checked.add(inputs.overlays().size() + " overlay(s)");
		}
		if (!inputs.workloadOverlays().isEmpty()) {
			checked.add(inputs.workloadOverlays().size() + " workload overlay(s)");
		}

		for (Path file : inputs.helmValues()) {
			String display = inputs.display(file);
			JsonNode values;
			try {
				values = Yaml.document(file);
			}
			catch (RenderException ex) {
				findings.add(Finding.error(display, ex.getMessage(), "make it valid YAML"));
				continue;
			}
			String environment = values.path("environment")
				.asString(file.getFileName().toString().replaceFirst("^values-", "").replaceFirst("\\.ya?ml$", ""));
			claims.addAll(Claims.fromHelmValues(environment, display, values));
			if (environments != null) {
				findings.addAll(EnvironmentChecks.valuesMatch(environment, display, values, environments));
			}
		}
		if (!inputs.helmValues().isEmpty()) {
			checked.add(inputs.helmValues().size() + " Helm values file(s)");
		}

		if (inputs.rabbitmqDefinitions() != null) {
			String display = inputs.display(inputs.rabbitmqDefinitions());
			try {
				JsonNode definitions = RabbitDefinitions.read(inputs.rabbitmqDefinitions());
				Map<String, String> environmentOfVhost = new HashMap<>();
				if (environments != null) {
					environments.environments().forEach(e -> environmentOfVhost.put(e.vhost(), e.name()));
				}
				claims.addAll(RabbitDefinitions.claims(definitions, display, environmentOfVhost));
				findings.addAll(RabbitDefinitions.committedSecrets(definitions, display));
			}
			catch (RenderException ex) {
				findings.add(Finding.error(display, ex.getMessage(), "regenerate it from deploy/environments.yaml"));
			}
			checked.add(display);
		}

		findings.addAll(IsolationCheck.check(claims, order));
		List<Finding> unique = new ArrayList<>(new LinkedHashSet<>(findings));
		unique.sort(Finding.ORDER);
		return new Report(unique, renderer.description(), checked);
	}

	/**
	 * Environments behind a manual gate are the ones people may not change by hand. Without
	 * environments.yaml the default path's last stage, prod, is assumed.
	 */
	private static Set<String> protectedEnvironments(EnvironmentsFile environments, LintInputs inputs) {
		Set<String> names = new LinkedHashSet<>();
		if (environments != null) {
			environments.environments().stream().filter(EnvironmentsFile.Spec::manualGate).forEach(e -> names.add(e.name()));
		}
		else {
			names.add("prod");
		}
		return names;
	}

	private record Rendered(Path dir, boolean workload) {
	}

	/** The rendered overlay, or the finding that says why it does not render. */
	private Object render(LintInputs inputs, Path dir, boolean workload) {
		Path kustomization = FileRenderer.kustomizationFile(dir);
		String display = inputs.display(kustomization == null ? dir : kustomization);
		String environment = dir.getFileName().toString();
		try {
			return new Overlay(environment, dir, display, workload, renderer.render(dir));
		}
		catch (RenderException ex) {
			return Finding.error(display, environment + " does not render: " + ex.getMessage(),
					"run kubectl kustomize " + inputs.display(dir) + " and correct what it reports");
		}
		catch (RuntimeException ex) {
			return Finding.error(display, environment + " cannot be read without kubectl: " + ex,
					"install kubectl (the linter then renders with kubectl kustomize) or simplify the overlay");
		}
	}
}
