package io.stagecoach.lint;

import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The part of Kubernetes' strategic merge patch that manifests use: mappings merge, {@code null} removes,
 * lists of named things (containers, env, volumes, ports) merge element by element, other lists are
 * replaced, {@code $patch: delete} removes an element.
 */
final class StrategicMerge {

	private static final List<String> MERGE_KEYS = List.of("name", "containerPort", "port", "mountPath", "devicePath");

	private StrategicMerge() {
	}

	static void merge(ObjectNode target, JsonNode patch) {
		for (Map.Entry<String, JsonNode> entry : patch.properties()) {
			String key = entry.getKey();
			JsonNode value = entry.getValue();
			if (key.startsWith("$")) {
				continue;
			}
			JsonNode current = target.get(key);
			if (value.isNull()) {
				target.remove(key);
			}
			else if (current instanceof ObjectNode currentObject && value.isObject()) {
				merge(currentObject, value);
			}
			else if (current instanceof ArrayNode currentArray && value instanceof ArrayNode patchArray
					&& mergeKey(patchArray) != null) {
				mergeList(currentArray, patchArray, mergeKey(patchArray));
			}
			else {
				target.set(key, value.deepCopy());
			}
		}
	}

	private static String mergeKey(ArrayNode list) {
		if (list.isEmpty() || !list.get(0).isObject()) {
			return null;
		}
		for (String key : MERGE_KEYS) {
			boolean all = true;
			for (JsonNode element : list.values()) {
				all &= element.has(key);
			}
			if (all) {
				return key;
			}
		}
		return null;
	}

	private static void mergeList(ArrayNode target, ArrayNode patch, String key) {
		for (JsonNode element : patch.values()) {
			int index = indexOf(target, key, element.get(key));
			boolean delete = element.path("$patch").asString("").equals("delete");
			if (index < 0 && !delete) {
				target.add(element.deepCopy());
			}
			else if (index >= 0 && delete) {
				target.remove(index);
			}
			else if (index >= 0 && target.get(index) instanceof ObjectNode existing) {
				merge(existing, element);
			}
		}
	}

	private static int indexOf(ArrayNode list, String key, JsonNode value) {
		for (int i = 0; i < list.size(); i++) {
			if (value.equals(list.get(i).get(key))) {
				return i;
			}
		}
		return -1;
	}
}
