package io.stagecoach.lint;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** What every environment overlay must have, and what none may contain. */
final class OverlayChecks {

	private static final Set<String> WRITE_CLUSTER_ROLES = Set.of("edit", "admin", "cluster-admin");

	private static final Set<String> READ_CLUSTER_ROLES = Set.of("view");

	private static final Set<String> WRITE_VERBS = Set.of("*", "create", "update", "patch", "delete",
			"deletecollection", "escalate", "bind", "impersonate");

	private OverlayChecks() {
	}

	/**
	 * A namespace whose pods may talk to anything, or that may take the whole cluster's resources, is not
	 * ready. Each namespace an environment's overlays render into needs a ResourceQuota and a default-deny
	 * NetworkPolicy there, from any overlay of that environment (a workload's overlay relies on the one that
	 * owns the namespace). Reported on the overlay that creates the namespace, else the first into it.
	 */
	static List<Finding> guardrails(String environment, List<Overlay> overlays) {
		Map<String, List<Overlay>> intoNamespace = new TreeMap<>();
		for (Overlay overlay : overlays) {
			overlay.objects()
				.stream()
				.filter(o -> !Kube.isClusterScoped(o))
				.map(Kube::namespace)
				.distinct()
				.forEach(namespace -> intoNamespace.computeIfAbsent(namespace, n -> new ArrayList<>()).add(overlay));
		}
		List<Finding> findings = new ArrayList<>();
		intoNamespace.forEach((namespace, into) -> {
			List<ObjectNode> there = overlays.stream()
				.flatMap(o -> o.objects().stream())
				.filter(o -> Kube.namespace(o).equals(namespace))
				.toList();
			Overlay owner = into.stream()
				.filter(o -> o.objects()
					.stream()
					.anyMatch(object -> Kube.kind(object).equals("Namespace") && Kube.name(object).equals(namespace)))
				.findFirst()
				.orElse(into.get(0));
			String where = namespace.isEmpty() ? "" : " in namespace " + namespace;
			if (there.stream().noneMatch(o -> Kube.kind(o).equals("ResourceQuota"))) {
				findings.add(Finding.error(owner.file(), environment + " has no ResourceQuota" + where,
						"add a ResourceQuota sized for " + environment + " to this overlay or the base it includes"
								+ " (Stagecoach's is deploy/k8s/base/quota.yaml)"));
			}
			if (there.stream().noneMatch(OverlayChecks::isDefaultDeny)) {
				findings.add(Finding.error(owner.file(),
						environment + " has no default-deny NetworkPolicy" + where + " (podSelector {}, policyTypes"
								+ " Ingress and Egress, no rules)",
						"add one to this overlay or the base it includes (Stagecoach's is default-deny-all in"
								+ " deploy/k8s/base/network-policies.yaml) and allow only what " + environment
								+ " needs"));
			}
		});
		return findings;
	}

	static boolean isDefaultDeny(JsonNode object) {
		if (!Kube.kind(object).equals("NetworkPolicy")) {
			return false;
		}
		JsonNode spec = object.path("spec");
		JsonNode selector = spec.path("podSelector");
		boolean everyPod = selector.path("matchLabels").isEmpty() && selector.path("matchExpressions").isEmpty();
		Set<String> types = new LinkedHashSet<>(FileRenderer.strings(spec.path("policyTypes")));
		return everyPod && types.contains("Ingress") && types.contains("Egress") && spec.path("ingress").isEmpty()
				&& spec.path("egress").isEmpty();
	}

	/** Objects that land in whatever namespace kubectl happens to point at. */
	static List<Finding> namespaces(Overlay overlay) {
		List<String> homeless = overlay.objects()
			.stream()
			.filter(o -> !Kube.isClusterScoped(o) && Kube.namespace(o).isEmpty())
			.map(Kube::id)
			.toList();
		if (homeless.isEmpty()) {
			return List.of();
		}
		return List.of(Finding.error(overlay.file(),
				overlay.environment() + " renders " + homeless.size() + " object(s) without a namespace ("
						+ summarize(homeless) + ")",
				"set namespace: to " + overlay.environment() + "'s namespace in the overlay's kustomization.yaml"));
	}

	/** Secret values belong in the cluster, not in Git. */
	static List<Finding> committedSecrets(Overlay overlay) {
		List<Finding> findings = new ArrayList<>();
		for (ObjectNode object : overlay.objects()) {
			if (Kube.kind(object).equals("Secret")
					&& (!object.path("data").isEmpty() || !object.path("stringData").isEmpty())) {
				findings.add(Finding.error(overlay.file(),
						overlay.environment() + " commits the values of " + Kube.id(object),
						"remove it (and any secretGenerator) from the repository, create it in the cluster"
								+ " (deploy/k8s/README.md) and reference it by name"));
			}
		}
		return findings;
	}

	/** A copied overlay that still says another environment's name runs as that environment. */
	static List<Finding> environmentVariable(Overlay overlay) {
		Set<String> others = new LinkedHashSet<>();
		for (ObjectNode object : overlay.objects()) {
			for (String value : Kube.envValues(object, "STAGECOACH_ENVIRONMENT")) {
				if (!value.equals(overlay.environment())) {
					others.add(Kube.id(object) + " says " + value);
				}
			}
		}
		if (others.isEmpty()) {
			return List.of();
		}
		return List.of(Finding.error(overlay.file(),
				"STAGECOACH_ENVIRONMENT is not " + overlay.environment() + " in " + overlay.environment() + "'s overlay ("
						+ summarize(List.copyOf(others)) + ")",
				"patch STAGECOACH_ENVIRONMENT to " + overlay.environment() + " for every Stagecoach Deployment"));
	}

	/**
	 * Who may change a protected environment by hand. A RoleBinding there, or a ClusterRoleBinding in any
	 * overlay, that gives the developers group edit, admin, cluster-admin or a role with write verbs is an error;
	 * a role this overlay does not define and that is not a known read-only one is a warning.
	 */
	static List<Finding> peopleAccess(Overlay overlay, boolean protectedEnvironment, String developers) {
		List<Finding> findings = new ArrayList<>();
		for (ObjectNode binding : overlay.objects()) {
			String kind = Kube.kind(binding);
			boolean clusterWide = kind.equals("ClusterRoleBinding");
			if (!(kind.equals("RoleBinding") && protectedEnvironment || clusterWide) || !bindsGroup(binding, developers)) {
				continue;
			}
			String where = clusterWide ? "every namespace of the cluster" : overlay.environment();
			String roleKind = binding.path("roleRef").path("kind").asString("");
			String roleName = binding.path("roleRef").path("name").asString("");
			ObjectNode role = overlay.objects()
				.stream()
				.filter(o -> Kube.kind(o).equals(roleKind) && Kube.name(o).equals(roleName))
				.findFirst()
				.orElse(null);
			String fix = clusterWide
					? "grant " + developers + " edit with a RoleBinding in each namespace they may change, never a ClusterRoleBinding"
					: "bind " + developers + " to ClusterRole view in " + overlay.environment()
							+ "; changes reach it through the approval gate";
			if (role != null) {
				Set<String> verbs = writeVerbs(role);
				if (!verbs.isEmpty()) {
					findings.add(Finding.error(overlay.file(), developers + " may change " + where + ": "
							+ Kube.id(binding) + " grants " + roleKind + " " + roleName + " (" + String.join(", ", verbs)
							+ ")", fix));
				}
			}
			else if (roleKind.equals("ClusterRole") && WRITE_CLUSTER_ROLES.contains(roleName)) {
				findings.add(Finding.error(overlay.file(),
						developers + " may change " + where + ": " + Kube.id(binding) + " grants ClusterRole " + roleName,
						fix));
			}
			else if (!(roleKind.equals("ClusterRole") && READ_CLUSTER_ROLES.contains(roleName))) {
				findings.add(Finding.warning(overlay.file(),
						"cannot tell what " + Kube.id(binding) + " lets " + developers + " do in " + where + ": "
								+ roleKind + " " + roleName + " is not defined in the overlay",
						"bind " + developers + " to ClusterRole view, or define the role in the overlay so it can be read"));
			}
		}
		return findings;
	}

	/** Whether {@code binding} names {@code group} among its subjects. */
	static boolean bindsGroup(JsonNode binding, String group) {
		for (JsonNode subject : binding.path("subjects").values()) {
			if (subject.path("kind").asString("").equals("Group") && subject.path("name").asString("").equals(group)) {
				return true;
			}
		}
		return false;
	}

	private static Set<String> writeVerbs(JsonNode role) {
		Set<String> verbs = new LinkedHashSet<>();
		for (JsonNode rule : role.path("rules").values()) {
			for (String verb : FileRenderer.strings(rule.path("verbs"))) {
				if (WRITE_VERBS.contains(verb)) {
					verbs.add(verb);
				}
			}
		}
		return verbs;
	}

	static String summarize(List<String> items) {
		return items.size() <= 3 ? String.join(", ", items)
				: items.stream().limit(3).collect(Collectors.joining(", ")) + " and " + (items.size() - 3) + " more";
	}
}
