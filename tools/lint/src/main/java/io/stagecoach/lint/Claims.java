package io.stagecoach.lint;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.stagecoach.platform.environments.CloudResources;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Finds the names each environment uses, wherever the deploy files say them. */
final class Claims {

	private static final List<String> ROLE_ANNOTATIONS = List.of("eks.amazonaws.com/role-arn",
			"iam.gke.io/gcp-service-account", "azure.workload.identity/client-id");

	private Claims() {
	}

	/** What environments.yaml gives each environment; {@code display} is the file as findings name it. */
	static List<Claim> fromEnvironments(Environments environments, String display) {
		List<Claim> claims = new ArrayList<>();
		for (Environment env : environments.all()) {
			CloudResources cloud = env.cloud();
			add(claims, ClaimKind.NAMESPACE, env.namespace(), env.name(), display);
			add(claims, ClaimKind.VHOST, env.vhost(), env.name(), display);
			add(claims, ClaimKind.BUCKET, cloud.bucketName().orElse(""), env.name(), display);
			add(claims, ClaimKind.IAM_ROLE, cloud.iamRole().orElse(""), env.name(), display);
			add(claims, ClaimKind.IMAGE_REPOSITORY, cloud.imageRepository().orElse(""), env.name(), display);
		}
		return claims;
	}

	/**
	 * What a rendered overlay uses. Secrets count by namespace and name: the same name in two namespaces
	 * is two Secrets. A container image counts only when it comes from an image repository environments.yaml
	 * gives some environment ({@code declared}): promotion otherwise runs the same image everywhere.
	 */
	static List<Claim> fromOverlay(Overlay overlay, Set<String> declared) {
		List<Claim> claims = new ArrayList<>();
		String env = overlay.environment();
		String file = overlay.file();
		for (ObjectNode object : overlay.objects()) {
			if (Kube.kind(object).equals("Namespace")) {
				add(claims, ClaimKind.NAMESPACE, Kube.name(object), env, file);
			}
			else if (!Kube.isClusterScoped(object)) {
				add(claims, ClaimKind.NAMESPACE, Kube.namespace(object), env, file);
			}
			String namespace = Kube.namespace(object);
			switch (Kube.kind(object)) {
				case "ConfigMap" -> object.path("data").forEachEntry((key, value) -> {
					String text = value.asString("");
					if (!text.contains("\n")) {
						classifyKeyValue(claims, key, text, env, file);
					}
				});
				case "ServiceAccount" -> ROLE_ANNOTATIONS.forEach(annotation -> add(claims, ClaimKind.IAM_ROLE,
						object.path("metadata").path("annotations").path(annotation).asString(""), env, file));
				case "Secret" -> add(claims, ClaimKind.SECRET, namespace + "/" + Kube.name(object), env, file);
				// AWS Controllers for Kubernetes: what the object creates in the account is the environment's
				case "Repository", "Bucket", "Role" -> {
					String api = object.path("apiVersion").asString("");
					String name = object.path("spec").path("name").asString("");
					if (api.startsWith("ecr.services.k8s.aws/")) {
						add(claims, ClaimKind.IMAGE_REPOSITORY, name.isEmpty() ? "" : "ECR repository " + name, env, file);
					}
					else if (api.startsWith("s3.services.k8s.aws/")) {
						add(claims, ClaimKind.BUCKET, name, env, file);
					}
					else if (api.startsWith("iam.services.k8s.aws/")) {
						add(claims, ClaimKind.IAM_ROLE, name.isEmpty() ? "" : "IAM role " + name, env, file);
					}
				}
				case "ExternalSecret" -> externalSecretPaths(object)
					.forEach(path -> add(claims, ClaimKind.SECRET_PATH, path, env, file));
				case "Kustomization" -> {
					// Flux's: the path of a repository it applies is one environment's desired state
					if (object.path("apiVersion").asString("").startsWith("kustomize.toolkit.fluxcd.io/")) {
						String path = object.path("spec").path("path").asString("").replaceFirst("^\\./", "")
							.replaceFirst("/$", "");
						add(claims, ClaimKind.FLUX_PATH, path.isEmpty() ? "" : "./" + path + " of "
								+ object.path("spec").path("sourceRef").path("name").asString(""), env, file);
					}
				}
				default -> {
				}
			}
			for (JsonNode spec : Kube.podSpecs(object)) {
				for (JsonNode container : Kube.containers(spec)) {
					String repository = repositoryOf(container.path("image").asString(""));
					if (declared.contains(repository)) {
						add(claims, ClaimKind.IMAGE_REPOSITORY, repository, env, file);
					}
					for (JsonNode variable : container.path("env").values()) {
						String name = variable.path("name").asString("");
						if (variable.has("value")) {
							classifyVariable(claims, name, variable.path("value").asString(""), env, file);
						}
						String secret = variable.path("valueFrom").path("secretKeyRef").path("name").asString("");
						add(claims, ClaimKind.SECRET, secret.isEmpty() ? "" : namespace + "/" + secret, env, file);
					}
					for (JsonNode from : container.path("envFrom").values()) {
						String secret = from.path("secretRef").path("name").asString("");
						add(claims, ClaimKind.SECRET, secret.isEmpty() ? "" : namespace + "/" + secret, env, file);
					}
				}
				for (JsonNode volume : spec.path("volumes").values()) {
					List<String> secrets = new ArrayList<>();
					secrets.add(volume.path("secret").path("secretName").asString(""));
					volume.path("projected").path("sources").values()
						.forEach(source -> secrets.add(source.path("secret").path("name").asString("")));
					for (String secret : secrets) {
						add(claims, ClaimKind.SECRET, secret.isEmpty() ? "" : namespace + "/" + secret, env, file);
					}
				}
			}
		}
		return claims;
	}

	/**
	 * What a Helm values file uses: its top-level {@code namespace}, and at any depth vhosts, buckets, roles,
	 * image repositories, usernames and Secret names (these by name alone: the chart names them per environment).
	 */
	static List<Claim> fromHelmValues(String env, String file, JsonNode values, Set<String> declared) {
		List<Claim> claims = new ArrayList<>();
		add(claims, ClaimKind.NAMESPACE, values.path("namespace").asString(""), env, file);
		walkValues(claims, values, env, file, declared);
		return claims;
	}

	private static void walkValues(List<Claim> claims, JsonNode node, String env, String file, Set<String> declared) {
		if (node.isArray()) {
			node.values().forEach(child -> walkValues(claims, child, env, file, declared));
			return;
		}
		for (Map.Entry<String, JsonNode> entry : node.properties()) {
			JsonNode value = entry.getValue();
			if (normalize(entry.getKey()).contains("image")) {
				// image: {registry, repository} or image: <repository>[:tag], as charts commonly write it
				String repository = value.isObject() ? value.path("repository").asString("") : value.asString("");
				String registry = value.path("registry").asString("");
				for (String candidate : List.of(repositoryOf(repository), registry + "/" + repositoryOf(repository))) {
					if (declared.contains(candidate)) {
						add(claims, ClaimKind.IMAGE_REPOSITORY, candidate, env, file);
					}
				}
			}
			if (!value.isValueNode()) {
				walkValues(claims, value, env, file, declared);
				continue;
			}
			String key = normalize(entry.getKey());
			String text = value.asString("");
			if (key.equals("username") || key.equals("user")) {
				add(claims, ClaimKind.USER, text, env, file);
			}
			else if (key.endsWith("secretname")) {
				add(claims, ClaimKind.SECRET, text, env, file);
			}
			else if (!key.equals("namespace")) {
				classifyKeyValue(claims, entry.getKey(), text, env, file);
			}
		}
	}

	/** ConfigMap and values keys: {@code vhost}, {@code artifact-bucket}, {@code roleArn}, {@code imageRepository}. */
	private static void classifyKeyValue(List<Claim> claims, String rawKey, String value, String env, String file) {
		String key = normalize(rawKey);
		if (key.endsWith("vhost") || key.contains("virtualhost")) {
			add(claims, ClaimKind.VHOST, value, env, file);
		}
		else if (key.contains("bucket")) {
			add(claims, ClaimKind.BUCKET, bucket(value), env, file);
		}
		else if (key.contains("rolearn") || key.contains("iamrole")) {
			add(claims, ClaimKind.IAM_ROLE, value, env, file);
		}
		else if (key.equals("imagerepository")) {
			add(claims, ClaimKind.IMAGE_REPOSITORY, value, env, file);
		}
		else {
			classifyValue(claims, value, env, file);
		}
	}

	/** Environment variables: {@code SPRING_RABBITMQ_VIRTUAL_HOST}, {@code ARTIFACT_BUCKET}, {@code AWS_ROLE_ARN}. */
	private static void classifyVariable(List<Claim> claims, String rawName, String value, String env, String file) {
		String name = rawName.toUpperCase(Locale.ROOT);
		if (name.contains("VIRTUAL_HOST") || name.contains("VHOST")) {
			add(claims, ClaimKind.VHOST, value, env, file);
		}
		else if (name.contains("BUCKET")) {
			add(claims, ClaimKind.BUCKET, bucket(value), env, file);
		}
		else if (name.contains("ROLE_ARN") || name.contains("IAM_ROLE")) {
			add(claims, ClaimKind.IAM_ROLE, value, env, file);
		}
		else if (name.matches(".*(RABBITMQ|AMQP).*_USER(NAME)?")) {
			add(claims, ClaimKind.USER, value, env, file);
		}
		else if (name.contains("IMAGE_REPOSITORY")) {
			add(claims, ClaimKind.IMAGE_REPOSITORY, value, env, file);
		}
		else {
			classifyValue(claims, value, env, file);
		}
	}

	/** Values that name a bucket or a role whatever their key: {@code s3://...}, {@code arn:aws:iam::...:role/...}. */
	private static void classifyValue(List<Claim> claims, String value, String env, String file) {
		String v = value.strip();
		if (v.startsWith("s3://") || v.startsWith("gs://")) {
			add(claims, ClaimKind.BUCKET, bucket(v), env, file);
		}
		else if (v.startsWith("arn:aws:iam::") && v.contains(":role/")) {
			add(claims, ClaimKind.IAM_ROLE, v, env, file);
		}
	}

	/** {@code ghcr.io/acme/app:1.2@sha256:...} is from repository {@code ghcr.io/acme/app}. */
	static String repositoryOf(String image) {
		String name = image.strip();
		int digest = name.indexOf('@');
		name = digest < 0 ? name : name.substring(0, digest);
		int tag = name.lastIndexOf(':');
		return tag > name.lastIndexOf('/') ? name.substring(0, tag) : name;
	}

	/** {@code s3://bucket/some/prefix} and {@code bucket} are the same bucket. */
	static String bucket(String value) {
		String v = value.strip();
		int scheme = v.indexOf("://");
		if (scheme >= 0) {
			v = v.substring(scheme + 3);
			int slash = v.indexOf('/');
			v = slash < 0 ? v : v.substring(0, slash);
		}
		return v;
	}

	private static String normalize(String key) {
		return key.toLowerCase(Locale.ROOT).replaceAll("[-_.]", "");
	}

	/**
	 * The paths an External Secrets Operator {@code ExternalSecret} reads in its store: each {@code data} item's
	 * {@code remoteRef.key}, each {@code dataFrom} item's {@code extract.key}, and the {@code find.path} a search
	 * starts at.
	 */
	static List<String> externalSecretPaths(JsonNode externalSecret) {
		List<String> paths = new ArrayList<>();
		JsonNode spec = externalSecret.path("spec");
		for (JsonNode item : spec.path("data").values()) {
			paths.add(item.path("remoteRef").path("key").asString(""));
		}
		for (JsonNode item : spec.path("dataFrom").values()) {
			paths.add(item.path("extract").path("key").asString(""));
			paths.add(item.path("find").path("path").asString(""));
		}
		return paths.stream().filter(path -> !path.isBlank()).distinct().toList();
	}

	private static void add(List<Claim> claims, ClaimKind kind, String value, String env, String file) {
		if (value != null && !value.isBlank()) {
			claims.add(new Claim(kind, value.strip(), env, file));
		}
	}
}
