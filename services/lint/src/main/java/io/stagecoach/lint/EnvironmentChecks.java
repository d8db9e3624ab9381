package io.stagecoach.lint;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** deploy/environments.yaml on its own, and the overlays and values files against it. */
final class EnvironmentChecks {

	private EnvironmentChecks() {
	}

	/** A manual gate nobody may open holds every release forever, or invites an override. */
	static List<Finding> gates(EnvironmentsFile file) {
		List<Finding> findings = new ArrayList<>();
		if (file.environments().isEmpty()) {
			findings.add(Finding.error(file.display(), "lists no environments",
					"list them under environments: in promotion order (name, vhost, gate, namespace)"));
		}
		for (EnvironmentsFile.Spec env : file.environments()) {
			if (env.manualGate() && env.approvers().isEmpty()) {
				findings.add(Finding.error(file.display(), env.name() + " has a manual gate but no approvers",
						"list who may approve " + env.name() + " under approvers: (the release's author never may)"));
			}
		}
		return findings;
	}

	static List<Finding> overlayMatches(Overlay overlay, EnvironmentsFile file) {
		EnvironmentsFile.Spec env = file.get(overlay.environment());
		if (env == null) {
			return List.of(Finding.error(overlay.file(),
					overlay.environment() + " is not an environment of " + file.display(),
					"name the overlay's directory after an environment of " + file.display() + " ("
							+ String.join(", ", file.names()) + "), or add " + overlay.environment() + " there"));
		}
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
			if (!overlay.workload()) {
				findings.addAll(environmentsCopy(overlay, object, file));
			}
		}
		namespaces.remove(env.namespace());
		if (!env.namespace().isEmpty() && !namespaces.isEmpty()) {
			findings.add(Finding.error(overlay.file(),
					overlay.environment() + " renders into namespace " + String.join(", ", namespaces) + " but "
							+ file.display() + " gives it " + env.namespace(),
					"set namespace: " + env.namespace() + " in the overlay, or correct " + file.display()));
		}
		vhosts.remove(env.vhost());
		if (!env.vhost().isEmpty() && !vhosts.isEmpty()) {
			findings.add(Finding.error(overlay.file(),
					overlay.environment() + " connects to vhost " + String.join(", ", vhosts) + " but " + file.display()
							+ " gives it " + env.vhost(),
					"patch SPRING_RABBITMQ_VIRTUAL_HOST to " + env.vhost()));
		}
		return findings;
	}

	/** The ConfigMap the services read must say what deploy/environments.yaml says. */
	private static List<Finding> environmentsCopy(Overlay overlay, ObjectNode object, EnvironmentsFile file) {
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
		if (file.tree().equals(parsed)) {
			return List.of();
		}
		return List.of(Finding.error(overlay.file(),
				"ConfigMap " + Kube.name(object) + " in " + overlay.environment() + " holds an environments.yaml that differs from "
						+ file.display(),
				"copy " + file.display() + " over the file the ConfigMap is generated from (deploy/k8s/base/config/environments.yaml)"));
	}

	static List<Finding> valuesMatch(String environment, String display, JsonNode values, EnvironmentsFile file) {
		EnvironmentsFile.Spec env = file.get(environment);
		if (env == null) {
			return List.of(Finding.error(display, environment + " is not an environment of " + file.display(),
					"name the values file values-<environment>.yaml after one of " + String.join(", ", file.names())));
		}
		List<Finding> findings = new ArrayList<>();
		String namespace = values.path("namespace").asString("");
		if (!namespace.isEmpty() && !env.namespace().isEmpty() && !namespace.equals(env.namespace())) {
			findings.add(Finding.error(display, environment + " is installed into namespace " + namespace + " but "
					+ file.display() + " gives it " + env.namespace(), "set namespace: " + env.namespace()));
		}
		String vhost = values.path("rabbitmq").path("vhost").asString("");
		if (!vhost.isEmpty() && !env.vhost().isEmpty() && !vhost.equals(env.vhost())) {
			findings.add(Finding.error(display, environment + " connects to vhost " + vhost + " but " + file.display()
					+ " gives it " + env.vhost(), "set rabbitmq.vhost: " + env.vhost()));
		}
		return findings;
	}
}
