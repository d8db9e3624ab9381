package io.stagecoach.lint;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.stagecoach.platform.environments.Environment;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The overlays and values files against environments.yaml (the file itself is the platform parser's to check). */
final class EnvironmentChecks {

	private EnvironmentChecks() {
	}

	/**
	 * An overlay renders into its environment's namespace and connects to its vhost.
	 *
	 * @param file environments.yaml as findings name it
	 * @param tree environments.yaml as a tree, to compare ConfigMap copies with; null when it is not YAML
	 */
	static List<Finding> overlayMatches(Overlay overlay, Environment env, String file, JsonNode tree) {
		List<Finding> findings = new ArrayList<>();
		Set<String> namespaces = new LinkedHashSet<>();
		Set<String> vhosts = new LinkedHashSet<>();
		for (ObjectNode object : overlay.objects()) {
			if (Kube.kind(object).equals("Namespace")) {
				namespaces.add(Kube.name(object));
			}
			else if (!Kube.isClusterScoped(object) && !Kube.namespace(object).isEmpty()) {
				namespaces.add(Kube.namespace(object));
			}
			vhosts.addAll(Kube.envValues(object, "SPRING_RABBITMQ_VIRTUAL_HOST"));
			if (tree != null) {
				findings.addAll(environmentsCopy(overlay, object, file, tree));
			}
		}
		namespaces.remove(env.namespace());
		if (!namespaces.isEmpty()) {
			findings.add(Finding.error(overlay.file(),
					overlay.environment() + " renders into namespace " + String.join(", ", namespaces) + " but "
							+ file + " gives it " + env.namespace(),
					"set namespace: " + env.namespace() + " in the overlay, or correct " + file));
		}
		vhosts.remove(env.vhost());
		if (!vhosts.isEmpty()) {
			findings.add(Finding.error(overlay.file(),
					overlay.environment() + " connects to vhost " + String.join(", ", vhosts) + " but " + file
							+ " gives it " + env.vhost(),
					"patch SPRING_RABBITMQ_VIRTUAL_HOST to " + env.vhost()));
		}
		return findings;
	}

	/** The ConfigMap the services read must say what environments.yaml says. */
	private static List<Finding> environmentsCopy(Overlay overlay, ObjectNode object, String file, JsonNode tree) {
		JsonNode copy = object.path("data").path("environments.yaml");
		if (!Kube.kind(object).equals("ConfigMap") || !copy.isString()) {
			return List.of();
		}
		JsonNode parsed;
		try {
			parsed = Yaml.MAPPER.readTree(copy.asString());
		}
		catch (JacksonException ex) {
			parsed = null;
		}
		if (tree.equals(parsed)) {
			return List.of();
		}
		return List.of(Finding.error(overlay.file(),
				"ConfigMap " + Kube.name(object) + " in " + overlay.environment()
						+ " holds an environments.yaml that differs from " + file,
				"copy " + file + " over the file the ConfigMap is generated from (in Stagecoach's overlays,"
						+ " deploy/k8s/base/config/environments.yaml)"));
	}

	/** A values file installs into its environment's namespace and connects to its vhost. */
	static List<Finding> valuesMatch(String display, JsonNode values, Environment env, String file) {
		List<Finding> findings = new ArrayList<>();
		String namespace = values.path("namespace").asString("");
		if (!namespace.isEmpty() && !namespace.equals(env.namespace())) {
			findings.add(Finding.error(display, env.name() + " is installed into namespace " + namespace + " but "
					+ file + " gives it " + env.namespace(), "set namespace: " + env.namespace()));
		}
		String vhost = values.path("rabbitmq").path("vhost").asString("");
		if (!vhost.isEmpty() && !vhost.equals(env.vhost())) {
			findings.add(Finding.error(display, env.name() + " connects to vhost " + vhost + " but " + file
					+ " gives it " + env.vhost(), "set rabbitmq.vhost: " + env.vhost()));
		}
		return findings;
	}
}
