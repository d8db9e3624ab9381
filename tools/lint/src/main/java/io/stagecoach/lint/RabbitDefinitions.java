package io.stagecoach.lint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

/**
 * {@code deploy/rabbitmq/definitions.json}: which user may use which vhost, and nothing secret committed.
 */
final class RabbitDefinitions {

	private static final Pattern URI_WITH_PASSWORD = Pattern.compile("amqps?://[^/@:]*:[^/@]+@.*");

	private RabbitDefinitions() {
	}

	static JsonNode read(Path file) {
		return Yaml.value(Yaml.read(file), file.toString());
	}

	/**
	 * Each permission makes its user one of the vhost's environment's users; a user permitted on two
	 * environments' vhosts is a shared credential.
	 */
	static List<Claim> claims(JsonNode definitions, String display, Function<String, String> environmentOfVhost) {
		List<Claim> claims = new ArrayList<>();
		for (String section : List.of("permissions", "topic_permissions")) {
			for (JsonNode permission : definitions.path(section).values()) {
				String vhost = permission.path("vhost").asString("");
				String user = permission.path("user").asString("");
				if (!vhost.isEmpty() && !user.isEmpty()) {
					claims.add(new Claim(ClaimKind.USER, user, environmentOfVhost.apply(vhost), display));
				}
			}
		}
		return claims;
	}

	/** Whether a {@code definitions.json} is RabbitMQ's (other tools use the name too). */
	static boolean isDefinitions(JsonNode definitions) {
		return definitions.isObject() && (definitions.has("vhosts") || definitions.has("users")
				|| definitions.has("permissions") || definitions.has("rabbit_version"));
	}

	static List<Finding> committedSecrets(JsonNode definitions, String display) {
		List<Finding> findings = new ArrayList<>();
		for (JsonNode user : definitions.path("users").values()) {
			String name = user.path("name").asString("");
			if (!user.path("password_hash").asString("").isEmpty() || user.has("password")) {
				findings.add(Finding.error(display, "commits a password for RabbitMQ user " + name,
						"leave password_hash empty and set the password when provisioning"
								+ " (STAGECOACH_PASSWORD_<USER> or $STAGECOACH_SECRETS_DIR/<user>)"));
			}
		}
		findings.addAll(managementTags(definitions, display));
		for (JsonNode parameter : definitions.path("parameters").values()) {
			for (String field : List.of("src-uri", "dest-uri")) {
				for (JsonNode uri : uris(parameter.path("value").path(field))) {
					if (URI_WITH_PASSWORD.matcher(uri.asString("")).matches()) {
						findings.add(Finding.error(display,
								"shovel " + parameter.path("name").asString("") + " carries a password in its " + field,
								"use a direct URI (amqp:///<vhost>) inside one node, or keep the URI in a secret store"));
					}
				}
			}
		}
		return findings;
	}

	/**
	 * A tag opens the management UI and HTTP API: only {@code management} (which shows a user just its own vhosts),
	 * and only for a user that may act on nothing there, a viewer. A pipeline credential with a tag could inspect
	 * and use the HTTP API beside AMQP; {@code administrator}, {@code monitoring} or {@code policymaker} see or change
	 * every environment.
	 */
	static List<Finding> managementTags(JsonNode definitions, String display) {
		List<Finding> findings = new ArrayList<>();
		for (JsonNode user : definitions.path("users").values()) {
			String name = user.path("name").asString("");
			List<String> tags = tags(user.path("tags"));
			List<String> wider = tags.stream().filter(tag -> !tag.equals("management")).toList();
			if (!wider.isEmpty()) {
				findings.add(Finding.error(display, "RabbitMQ user " + name + " has the tag(s) " + wider
								+ ", which open the management UI across environments",
						"leave Stagecoach users without tags; people log in as their environment's viewer"));
			} else if (!tags.isEmpty()) {
				for (JsonNode permission : definitions.path("permissions").values()) {
					if (permission.path("user").asString("").equals(name) && grantsAnything(permission)) {
						findings.add(Finding.error(display, "RabbitMQ user " + name + " may log in to the management UI"
										+ " (tag management) and act in vhost " + permission.path("vhost").asString("")
										+ " (" + permission.path("configure").asString("") + " / "
										+ permission.path("write").asString("") + " / "
										+ permission.path("read").asString("") + ")",
								"give the management tag only to a viewer whose permissions are ^$ / ^$ / ^$"));
					}
				}
			}
		}
		return findings;
	}

	private static List<String> tags(JsonNode tags) {
		List<String> all = new ArrayList<>();
		if (tags.isArray()) {
			tags.values().forEach(tag -> all.add(tag.asString("").strip()));
		} else {
			for (String tag : tags.asString("").split(",")) {
				all.add(tag.strip());
			}
		}
		all.removeIf(String::isEmpty);
		return all;
	}

	private static boolean grantsAnything(JsonNode permission) {
		for (String kind : List.of("configure", "write", "read")) {
			String regex = permission.path(kind).asString("");
			if (!regex.isEmpty() && !regex.equals("^$")) {
				return true;
			}
		}
		return false;
	}

	private static List<JsonNode> uris(JsonNode node) {
		List<JsonNode> uris = new ArrayList<>();
		if (node.isArray()) {
			node.values().forEach(uris::add);
		}
		else if (!node.isMissingNode()) {
			uris.add(node);
		}
		return uris;
	}
}
