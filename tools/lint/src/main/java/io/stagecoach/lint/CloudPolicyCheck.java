package io.stagecoach.lint;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An AWS Controllers for Kubernetes IAM {@code Role} in an environment's tree whose policies name another
 * environment's resources: its repository or bucket (in a policy's {@code Resource}), or service accounts of its
 * namespace (in the trust policy). The role is the environment's; what it may reach must be too.
 */
final class CloudPolicyCheck {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private CloudPolicyCheck() {
	}

	static List<Finding> check(Overlay overlay, Environments model) {
		List<Finding> findings = new ArrayList<>();
		for (ObjectNode object : overlay.objects()) {
			if (!Kube.kind(object).equals("Role")
					|| !object.path("apiVersion").asString("").startsWith("iam.services.k8s.aws/")) {
				continue;
			}
			String role = Kube.name(object);
			List<String> documents = new ArrayList<>();
			JsonNode spec = object.path("spec");
			spec.path("inlinePolicies").forEachEntry((name, policy) -> documents.add(policy.asString("")));
			String trust = spec.path("assumeRolePolicyDocument").asString("");
			for (Environment other : model.all()) {
				if (other.name().equals(overlay.environment())) {
					continue;
				}
				Set<String> named = new LinkedHashSet<>();
				for (String document : documents) {
					for (String resource : resources(document)) {
						other.cloud().imageRepository()
							.map(repository -> repository.substring(repository.lastIndexOf('/') + 1))
							.filter(name -> resource.endsWith(":repository/" + name)
									|| resource.contains(":repository/" + name + "/"))
							.ifPresent(name -> named.add("repository " + name + " (" + resource + ")"));
						other.cloud().bucketName()
							.filter(bucket -> resource.equals("arn:aws:s3:::" + bucket)
									|| resource.startsWith("arn:aws:s3:::" + bucket + "/"))
							.ifPresent(bucket -> named.add("bucket " + bucket + " (" + resource + ")"));
					}
				}
				if (trust.contains("system:serviceaccount:" + other.namespace() + ":")) {
					named.add("service accounts of namespace " + other.namespace() + " (in its trust policy)");
				}
				for (String what : named) {
					findings.add(Finding.error(overlay.file(), "IAM role " + role + " of " + overlay.environment()
							+ " names " + other.name() + "'s " + what + ": a role of one environment may reach that "
							+ "environment's resources only", "name " + overlay.environment() + "'s own, as "
							+ "`stagecoach cloud-resources` generates them from environments.yaml"));
				}
			}
		}
		return findings;
	}

	/** Every {@code Resource} of a policy document (a string or a list), or none when it is not JSON. */
	static List<String> resources(String document) {
		List<String> resources = new ArrayList<>();
		JsonNode policy;
		try {
			policy = JSON.readTree(document);
		}
		catch (JacksonException ex) {
			return resources;
		}
		JsonNode statements = policy.path("Statement");
		for (JsonNode statement : statements.isArray() ? statements : JSON.createArrayNode().add(statements)) {
			JsonNode resource = statement.path("Resource");
			if (resource.isArray()) {
				resource.forEach(item -> resources.add(item.asString("")));
			}
			else if (resource.isString()) {
				resources.add(resource.asString());
			}
		}
		return resources;
	}

}
