package io.stagecoach.lint;

import java.nio.file.Path;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** RFC 6902 add, replace and remove, which is what kustomize JSON patches use in practice. */
final class JsonPatch {

	private JsonPatch() {
	}

	static void apply(ObjectNode object, JsonNode operations, Path file) {
		for (JsonNode operation : operations.values()) {
			String op = operation.path("op").asString("");
			String path = operation.path("path").asString("");
			if (!op.equals("add") && !op.equals("replace") && !op.equals("remove")) {
				throw new RenderException("JSON patch operation " + op + " in " + file
						+ " needs kubectl (only add, replace and remove are read directly)");
			}
			String[] tokens = path.substring(1).split("/", -1);
			JsonNode parent = object;
			for (int i = 0; i < tokens.length - 1; i++) {
				parent = child(parent, unescape(tokens[i]));
				if (parent == null) {
					throw new RenderException("JSON patch path " + path + " in " + file + " does not exist");
				}
			}
			String last = unescape(tokens[tokens.length - 1]);
			JsonNode value = operation.path("value").deepCopy();
			if (parent instanceof ObjectNode parentObject) {
				if (op.equals("remove")) {
					parentObject.remove(last);
				}
				else {
					parentObject.set(last, value);
				}
			}
			else if (parent instanceof ArrayNode array) {
				int index = last.equals("-") ? array.size() : Integer.parseInt(last);
				switch (op) {
					case "add" -> array.insert(index, value);
					case "replace" -> array.set(index, value);
					default -> array.remove(index);
				}
			}
		}
	}

	private static JsonNode child(JsonNode node, String token) {
		if (node instanceof ArrayNode array) {
			return array.get(Integer.parseInt(token));
		}
		return node.get(token);
	}

	private static String unescape(String token) {
		return token.replace("~1", "/").replace("~0", "~");
	}
}
