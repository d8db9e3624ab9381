package io.stagecoach.lint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Multi-document YAML in, Jackson trees out. */
final class Yaml {

	static final YAMLMapper MAPPER = YAMLMapper.builder().build();

	private Yaml() {
	}

	/** Every mapping document of the text; empty documents are skipped. */
	static List<ObjectNode> documents(String text, String source) {
		List<ObjectNode> documents = new ArrayList<>();
		try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(text)) {
			while (it.hasNext()) {
				JsonNode node = it.next();
				if (node instanceof ObjectNode object) {
					documents.add(object);
				}
			}
		}
		catch (JacksonException ex) {
			throw new RenderException(source + " is not valid YAML: " + ex.getOriginalMessage());
		}
		return documents;
	}

	static List<ObjectNode> documents(Path file) {
		return documents(read(file), file.toString());
	}

	/** A single-document file, or an empty mapping when the file is empty. */
	static JsonNode document(Path file) {
		List<ObjectNode> documents = documents(file);
		return documents.isEmpty() ? MAPPER.createObjectNode() : documents.get(0);
	}

	/** Any YAML value (a list of JSON patch operations, for one). */
	static JsonNode value(String text, String source) {
		try {
			return MAPPER.readTree(text);
		}
		catch (JacksonException ex) {
			throw new RenderException(source + " is not valid YAML: " + ex.getOriginalMessage());
		}
	}

	static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new RenderException("cannot read " + file + ": " + ex.getMessage());
		}
	}
}
