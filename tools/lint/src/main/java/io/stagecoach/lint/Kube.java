package io.stagecoach.lint;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Reading Kubernetes objects as trees. */
final class Kube {

	private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
			"CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
			"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "RuntimeClass",
			"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");

	private Kube() {
	}

	static String kind(JsonNode object) {
		return object.path("kind").asString("");
	}

	static String name(JsonNode object) {
		return object.path("metadata").path("name").asString("");
	}

	static String namespace(JsonNode object) {
		return object.path("metadata").path("namespace").asString("");
	}

	static String id(JsonNode object) {
		return kind(object) + "/" + name(object);
	}

	static boolean isClusterScoped(JsonNode object) {
		return CLUSTER_SCOPED.contains(kind(object));
	}

	static ObjectNode metadata(ObjectNode object) {
		return object.get("metadata") instanceof ObjectNode metadata ? metadata : object.putObject("metadata");
	}

	/** The pod templates of workload objects (and bare pods). */
	static List<JsonNode> podSpecs(JsonNode object) {
		List<JsonNode> specs = new ArrayList<>();
		switch (kind(object)) {
			case "Pod" -> specs.add(object.path("spec"));
			case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController" ->
				specs.add(object.path("spec").path("template").path("spec"));
			case "CronJob" -> specs.add(object.path("spec").path("jobTemplate").path("spec").path("template").path("spec"));
			default -> {
			}
		}
		specs.removeIf(JsonNode::isMissingNode);
		return specs;
	}

	/** The pod templates of workload objects, to label. */
	static List<ObjectNode> podTemplates(JsonNode object) {
		JsonNode template = switch (kind(object)) {
			case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController" ->
				object.path("spec").path("template");
			case "CronJob" -> object.path("spec").path("jobTemplate").path("spec").path("template");
			default -> null;
		};
		return template instanceof ObjectNode found ? List.of(found) : List.of();
	}

	static List<JsonNode> containers(JsonNode podSpec) {
		List<JsonNode> containers = new ArrayList<>();
		podSpec.path("initContainers").values().forEach(containers::add);
		podSpec.path("containers").values().forEach(containers::add);
		return containers;
	}

	/** A literal environment variable of any container of the object, or null. */
	static List<String> envValues(JsonNode object, String variable) {
		List<String> values = new ArrayList<>();
		for (JsonNode spec : podSpecs(object)) {
			for (JsonNode container : containers(spec)) {
				for (JsonNode env : container.path("env").values()) {
					if (env.path("name").asString("").equals(variable) && env.has("value")) {
						values.add(env.path("value").asString(""));
					}
				}
			}
		}
		return values;
	}
}
