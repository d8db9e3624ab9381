package io.stagecoach.lint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * {@code deploy/environments.yaml}, read leniently: only the fields the checks use, unknown fields ignored.
 *
 * @param display the path reported in findings
 * @param tree the whole file, to compare copies against
 * @param environments the environments in promotion order
 */
record EnvironmentsFile(String display, JsonNode tree, List<Spec> environments) {

	/** One environment's entry; absent fields are empty strings or an empty list. */
	record Spec(String name, String vhost, String gate, String namespace, List<String> approvers, String bucket,
			String iamRole, String imageRepository) {

		boolean manualGate() {
			return gate.equalsIgnoreCase("manual");
		}
	}

	static EnvironmentsFile read(Path path, String display) {
		JsonNode tree = Yaml.document(path);
		List<Spec> environments = new ArrayList<>();
		for (JsonNode entry : tree.path("environments").values()) {
			environments.add(new Spec(text(entry, "name"), text(entry, "vhost"), text(entry, "gate"),
					text(entry, "namespace"), approvers(entry.path("approvers")), text(entry, "bucket"),
					text(entry, "iam-role"), text(entry, "image-repository")));
		}
		return new EnvironmentsFile(display, tree, environments);
	}

	Spec get(String name) {
		return environments.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
	}

	List<String> names() {
		return environments.stream().map(Spec::name).toList();
	}

	private static String text(JsonNode entry, String field) {
		JsonNode value = entry.path(field);
		return value.isValueNode() ? value.asString("").strip() : "";
	}

	private static List<String> approvers(JsonNode node) {
		List<String> approvers = new ArrayList<>();
		if (node.isArray()) {
			for (JsonNode approver : node.values()) {
				String name = approver.isObject()
						? approver.path("group").asString(approver.path("name").asString(""))
						: approver.asString("");
				if (!name.isBlank()) {
					approvers.add(name.strip());
				}
			}
		}
		else if (node.isValueNode() && !node.asString("").isBlank()) {
			for (String name : node.asString().split(",")) {
				if (!name.isBlank()) {
					approvers.add(name.strip());
				}
			}
		}
		return approvers;
	}
}
