package io.stagecoach.lint;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Git push credential that people who must not change a manually gated environment can read: developers who may
 * read Secrets in an environment (ClusterRole edit, admin or cluster-admin, or a role that reads secrets) whose
 * workloads mount a Git credential, which can write a manual environment's desired state because environments.yaml
 * does not give the two environments repositories (or branches) of their own. Such a credential lets its readers
 * push a release past the approval gate, whatever the cluster's RBAC says about the manual environment itself.
 */
final class GitCredentialCheck {

	/** ClusterRoles that read Secrets in the namespace they are bound in. */
	private static final Set<String> SECRET_READING_CLUSTER_ROLES = Set.of("edit", "admin", "cluster-admin");

	private static final Set<String> READ_VERBS = Set.of("*", "get", "list", "watch");

	private GitCredentialCheck() {
	}

	static List<Finding> check(Overlay overlay, String developers, Optional<Environments> model) {
		List<String> credentials = gitCredentials(overlay);
		if (credentials.isEmpty() || model.isEmpty()) {
			return List.of();
		}
		Optional<Environment> here = model.get().find(overlay.environment());
		if (here.isEmpty()) {
			return List.of();
		}
		List<String> writable = new ArrayList<>();
		for (Environment manual : model.get().all()) {
			if (manual.isManual() && canWrite(here.get(), manual)) {
				writable.add(manual.name());
			}
		}
		if (writable.isEmpty()) {
			return List.of();
		}
		Optional<String> grant = secretReadGrant(overlay, developers);
		if (grant.isEmpty()) {
			return List.of();
		}
		String manual = String.join(", ", writable);
		boolean own = writable.equals(List.of(here.get().name()));
		return List.of(Finding.error(overlay.file(), developers + " can read the Git push credential "
				+ String.join(", ", credentials) + " in " + overlay.environment() + " (" + grant.get() + "), which "
				+ (own ? "writes the desired state of " + manual + ", a manually gated environment"
						: "can write the desired state of " + manual + " (manually gated): "
								+ (here.get().cloud().gitopsRepository().isEmpty()
										? overlay.environment() + " names no gitops-repository of its own in environments.yaml"
										: overlay.environment() + " and " + manual + " name the same gitops-repository and branch")),
				"bind " + developers + " in " + overlay.environment() + " to a role that does not read secrets"
						+ " (deploy/k8s/overlays/staging/people-rbac.yaml), and give each environment its own"
						+ " gitops-repository (or gitops-branch, protected) in environments.yaml with a credential that"
						+ " can push only there"));
	}

	/**
	 * Whether {@code from}'s credential can write {@code to}'s desired state: it is the same environment, or the
	 * two do not both name where they are written, or they name the same repository and branch.
	 */
	static boolean canWrite(Environment from, Environment to) {
		if (from.name().equals(to.name())) {
			return true;
		}
		Optional<String> a = from.cloud().gitopsTarget();
		Optional<String> b = to.cloud().gitopsTarget();
		return a.isEmpty() || b.isEmpty() || a.equals(b);
	}

	/** The Secrets with {@code git} in their name that the overlay's workloads mount or read. */
	static List<String> gitCredentials(Overlay overlay) {
		Set<String> found = new LinkedHashSet<>();
		for (ObjectNode object : overlay.objects()) {
			for (JsonNode pod : Kube.podSpecs(object)) {
				for (JsonNode volume : pod.path("volumes").values()) {
					add(found, volume.path("secret").path("secretName"));
					for (JsonNode source : volume.path("projected").path("sources").values()) {
						add(found, source.path("secret").path("name"));
					}
				}
				for (JsonNode container : Kube.containers(pod)) {
					for (JsonNode env : container.path("env").values()) {
						add(found, env.path("valueFrom").path("secretKeyRef").path("name"));
					}
					for (JsonNode from : container.path("envFrom").values()) {
						add(found, from.path("secretRef").path("name"));
					}
				}
			}
		}
		return List.copyOf(found);
	}

	private static void add(Set<String> found, JsonNode name) {
		String secret = name.asString("");
		if (secret.toLowerCase(Locale.ROOT).contains("git")) {
			found.add(secret);
		}
	}

	/** How the group may read Secrets in the overlay's namespace, or empty when it may not. */
	static Optional<String> secretReadGrant(Overlay overlay, String group) {
		for (ObjectNode binding : overlay.objects()) {
			String kind = Kube.kind(binding);
			if (!(kind.equals("RoleBinding") || kind.equals("ClusterRoleBinding")) || !OverlayChecks.bindsGroup(binding, group)) {
				continue;
			}
			String roleKind = binding.path("roleRef").path("kind").asString("");
			String roleName = binding.path("roleRef").path("name").asString("");
			ObjectNode role = overlay.objects()
				.stream()
				.filter(o -> Kube.kind(o).equals(roleKind) && Kube.name(o).equals(roleName))
				.findFirst()
				.orElse(null);
			if (role != null ? readsSecrets(role)
					: roleKind.equals("ClusterRole") && SECRET_READING_CLUSTER_ROLES.contains(roleName)) {
				return Optional.of(Kube.id(binding) + " grants " + roleKind + " " + roleName);
			}
		}
		return Optional.empty();
	}

	private static boolean readsSecrets(JsonNode role) {
		for (JsonNode rule : role.path("rules").values()) {
			Set<String> resources = Set.copyOf(FileRenderer.strings(rule.path("resources")));
			boolean secrets = resources.contains("secrets") || resources.contains("*");
			boolean core = FileRenderer.strings(rule.path("apiGroups")).stream().anyMatch(g -> g.isEmpty() || g.equals("*"));
			if (secrets && core && FileRenderer.strings(rule.path("verbs")).stream().anyMatch(READ_VERBS::contains)) {
				return true;
			}
		}
		return false;
	}
}
