package io.stagecoach.lint;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads an overlay's YAML directly, for machines without kubectl. It follows what the checks depend on:
 * {@code resources} (files and directories, recursively), {@code configMapGenerator} and
 * {@code secretGenerator} (literals, files, envs; create, merge, replace), {@code patches},
 * {@code patchesStrategicMerge} and {@code patchesJson6902} (strategic merge by name, JSON patch
 * add/replace/remove, {@code $patch: delete}), {@code labels} and {@code commonLabels} (patch targets select
 * by them), {@code images} and {@code namespace}. It does not add name hashes, prefixes or suffixes, and
 * refuses remote resources.
 */
final class FileRenderer implements Renderer {

	static final List<String> KUSTOMIZATION_FILES = List.of("kustomization.yaml", "kustomization.yml",
			"Kustomization");

	@Override
	public List<ObjectNode> render(Path kustomizationDir) {
		return build(kustomizationDir.toAbsolutePath().normalize(), new ArrayList<>());
	}

	@Override
	public String description() {
		return "read from the YAML files directly (no kubectl)";
	}

	static Path kustomizationFile(Path dir) {
		for (String name : KUSTOMIZATION_FILES) {
			Path candidate = dir.resolve(name);
			if (Files.isRegularFile(candidate)) {
				return candidate;
			}
		}
		return null;
	}

	private List<ObjectNode> build(Path dir, List<Path> visiting) {
		if (visiting.contains(dir)) {
			throw new RenderException("kustomization cycle through " + dir);
		}
		Path file = kustomizationFile(dir);
		if (file == null) {
			throw new RenderException("no kustomization.yaml in " + dir);
		}
		visiting.add(dir);
		JsonNode kustomization = Yaml.document(file);
		List<ObjectNode> objects = new ArrayList<>();
		for (String field : List.of("resources", "bases", "components")) {
			for (String resource : strings(kustomization.path(field))) {
				objects.addAll(resource(dir, resource, visiting));
			}
		}
		generate(dir, kustomization.path("configMapGenerator"), "ConfigMap", objects);
		for (JsonNode labels : kustomization.path("labels").values()) {
			label(objects, labels.path("pairs"), labels.path("includeSelectors").asBoolean(false),
					labels.path("includeTemplates").asBoolean(false));
		}
		label(objects, kustomization.path("commonLabels"), true, true);
		generate(dir, kustomization.path("secretGenerator"), "Secret", objects);
		for (JsonNode patch : kustomization.path("patches").values()) {
			applyPatch(objects, patchText(dir, patch), patch.get("target"), file);
		}
		for (JsonNode patch : kustomization.path("patchesStrategicMerge").values()) {
			String text = patch.asString();
			Path path = dir.resolve(text);
			applyPatch(objects, !text.contains("\n") && Files.isRegularFile(path) ? Yaml.read(path) : text, null, file);
		}
		for (JsonNode patch : kustomization.path("patchesJson6902").values()) {
			applyPatch(objects, patchText(dir, patch), patch.get("target"), file);
		}
		images(objects, kustomization.path("images"));
		String namespace = kustomization.path("namespace").asString("");
		if (!namespace.isEmpty()) {
			for (ObjectNode object : objects) {
				if (!Kube.isClusterScoped(object)) {
					Kube.metadata(object).put("namespace", namespace);
				}
			}
		}
		visiting.remove(dir);
		return objects;
	}

	private List<ObjectNode> resource(Path dir, String resource, List<Path> visiting) {
		if (resource.contains("://") || resource.startsWith("github.com/")) {
			throw new RenderException("remote resource " + resource + " cannot be read without kubectl");
		}
		Path path = dir.resolve(resource).normalize();
		if (Files.isDirectory(path)) {
			return build(path, visiting);
		}
		if (Files.isRegularFile(path)) {
			List<ObjectNode> objects = new ArrayList<>();
			for (ObjectNode document : Yaml.documents(path)) {
				if (document.path("kind").asString("").equals("List")) {
					document.path("items").values().forEach(item -> objects.add((ObjectNode) item));
				}
				else {
					objects.add(document);
				}
			}
			return objects;
		}
		throw new RenderException("resource " + resource + " of " + dir + " does not exist");
	}

	private static String patchText(Path dir, JsonNode patch) {
		if (patch.hasNonNull("patch")) {
			return patch.get("patch").asString();
		}
		if (patch.hasNonNull("path")) {
			return Yaml.read(dir.resolve(patch.get("path").asString()));
		}
		throw new RenderException("a patch in " + dir + " has neither patch nor path");
	}

	private static void generate(Path dir, JsonNode generators, String kind, List<ObjectNode> objects) {
		for (JsonNode generator : generators.values()) {
			String name = generator.path("name").asString("");
			Map<String, String> data = new LinkedHashMap<>();
			for (String literal : strings(generator.path("literals"))) {
				int eq = literal.indexOf('=');
				data.put(literal.substring(0, eq), unquote(literal.substring(eq + 1)));
			}
			for (String entry : strings(generator.path("files"))) {
				int eq = entry.indexOf('=');
				Path path = dir.resolve(eq < 0 ? entry : entry.substring(eq + 1));
				data.put(eq < 0 ? path.getFileName().toString() : entry.substring(0, eq), Yaml.read(path));
			}
			for (String envFile : strings(generator.path("envs"))) {
				for (String line : Yaml.read(dir.resolve(envFile)).split("\n")) {
					String trimmed = line.strip();
					int eq = trimmed.indexOf('=');
					if (!trimmed.isEmpty() && !trimmed.startsWith("#") && eq > 0) {
						data.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
					}
				}
			}
			String behavior = generator.path("behavior").asString("create");
			ObjectNode existing = objects.stream()
				.filter(o -> Kube.kind(o).equals(kind) && Kube.name(o).equals(name))
				.findFirst()
				.orElse(null);
			ObjectNode target = existing;
			if (existing == null || behavior.equals("create")) {
				target = Yaml.MAPPER.createObjectNode();
				target.put("apiVersion", "v1");
				target.put("kind", kind);
				target.putObject("metadata").put("name", name);
				objects.add(target);
			}
			ObjectNode dataNode = behavior.equals("replace") || !(target.get("data") instanceof ObjectNode present)
					? target.putObject("data") : present;
			data.forEach((key, value) -> dataNode.put(key, kind.equals("Secret")
					? Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) : value));
		}
	}

	/**
	 * The images transformer: a container whose image is {@code name} gets {@code newName}, {@code newTag} and
	 * {@code digest} ({@code <name>:<tag>@<digest>} when both are given, as kustomize writes it).
	 */
	private static void images(List<ObjectNode> objects, JsonNode images) {
		for (JsonNode image : images.values()) {
			String name = image.path("name").asString("");
			for (ObjectNode object : objects) {
				for (JsonNode spec : Kube.podSpecs(object)) {
					for (JsonNode container : Kube.containers(spec)) {
						String current = container.path("image").asString("");
						if (!name.isEmpty() && Claims.repositoryOf(current).equals(name)
								&& container instanceof ObjectNode editable) {
							String rest = current.substring(name.length());
							String tag = rest.startsWith(":") ? rest.replaceFirst("@.*", "") : "";
							String newTag = image.hasNonNull("newTag") ? ":" + image.get("newTag").asString() : tag;
							String digest = image.hasNonNull("digest") ? "@" + image.get("digest").asString() : "";
							editable.put("image", image.path("newName").asString(name) + newTag + digest);
						}
					}
				}
			}
		}
	}

	/** The labels transformer: object labels, and pod template labels and selectors where asked. */
	private static void label(List<ObjectNode> objects, JsonNode pairs, boolean selectors, boolean templates) {
		if (pairs.isEmpty()) {
			return;
		}
		for (ObjectNode object : objects) {
			addLabels(Kube.metadata(object), "labels", pairs);
			if (templates || selectors) {
				Kube.podTemplates(object).forEach(template -> addLabels(Kube.metadata(template), "labels", pairs));
			}
			if (selectors && object.get("spec") instanceof ObjectNode spec) {
				if (Kube.kind(object).equals("Service")) {
					addLabels(spec, "selector", pairs);
				}
				else if (spec.get("selector") instanceof ObjectNode selector) {
					addLabels(selector, "matchLabels", pairs);
				}
			}
		}
	}

	private static void addLabels(ObjectNode holder, String field, JsonNode pairs) {
		ObjectNode labels = holder.get(field) instanceof ObjectNode present ? present : holder.putObject(field);
		pairs.forEachEntry((key, value) -> labels.put(key, value.asString()));
	}

	private static String unquote(String value) {
		if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
				|| value.startsWith("'") && value.endsWith("'"))) {
			return value.substring(1, value.length() - 1);
		}
		return value;
	}

	private static void applyPatch(List<ObjectNode> objects, String text, JsonNode target, Path file) {
		JsonNode parsed = Yaml.value(text, "a patch in " + file);
		if (parsed.isArray()) {
			if (target == null) {
				throw new RenderException("a JSON patch in " + file + " has no target");
			}
			for (ObjectNode object : matching(objects, target)) {
				JsonPatch.apply(object, parsed, file);
			}
			return;
		}
		for (ObjectNode patch : Yaml.documents(text, "a patch in " + file)) {
			List<ObjectNode> targets;
			if (target != null) {
				targets = matching(objects, target);
			}
			else {
				targets = objects.stream()
					.filter(o -> Kube.kind(o).equals(Kube.kind(patch)) && Kube.name(o).equals(Kube.name(patch)))
					.toList();
			}
			if (patch.path("$patch").asString("").equals("delete")) {
				objects.removeAll(targets);
				continue;
			}
			ObjectNode body = patch.deepCopy();
			if (target != null && body.get("metadata") instanceof ObjectNode metadata) {
				// kustomize gives a targeted patch the name of each object it matches
				metadata.remove("name");
			}
			for (ObjectNode object : targets) {
				StrategicMerge.merge(object, body);
			}
		}
	}

	private static List<ObjectNode> matching(List<ObjectNode> objects, JsonNode target) {
		return objects.stream().filter(o -> matches(o, target)).toList();
	}

	private static boolean matches(ObjectNode object, JsonNode target) {
		return matchesPattern(target.path("kind").asString(""), Kube.kind(object))
				&& matchesPattern(target.path("name").asString(""), Kube.name(object))
				&& matchesPattern(target.path("namespace").asString(""), Kube.namespace(object))
				&& selects(target.path("labelSelector").asString(""), object.path("metadata").path("labels"))
				&& selects(target.path("annotationSelector").asString(""),
						object.path("metadata").path("annotations"));
	}

	private static boolean matchesPattern(String pattern, String value) {
		return pattern.isEmpty() || Pattern.compile(pattern).matcher(value).matches();
	}

	/** Equality-based selectors: {@code a=b}, {@code a==b}, {@code a!=b}, {@code a}, {@code !a}, comma-separated. */
	static boolean selects(String selector, JsonNode labels) {
		if (selector.isBlank()) {
			return true;
		}
		for (String term : selector.split(",")) {
			String t = term.strip();
			if (t.contains("!=")) {
				String[] kv = t.split("!=", 2);
				if (labels.path(kv[0].strip()).asString("\u0000").equals(kv[1].strip())) {
					return false;
				}
			}
			else if (t.contains("=")) {
				String[] kv = t.split("==?", 2);
				if (!labels.path(kv[0].strip()).asString("\u0000").equals(kv[1].strip())) {
					return false;
				}
			}
			else if (t.startsWith("!")) {
				if (labels.has(t.substring(1).strip())) {
					return false;
				}
			}
			else if (!labels.has(t)) {
				return false;
			}
		}
		return true;
	}

	static List<String> strings(JsonNode node) {
		List<String> values = new ArrayList<>();
		if (node instanceof ArrayNode array) {
			array.values().forEach(v -> values.add(v.asString()));
		}
		return values;
	}
}
