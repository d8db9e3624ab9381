package io.stagecoach.lint;

/** Things each environment must have to itself. */
enum ClaimKind {

	NAMESPACE("namespace", "namespaces", "give %s a namespace of its own, such as %s-%1$s"),
	VHOST("RabbitMQ vhost", "RabbitMQ vhosts", "give %s a vhost of its own, such as %1$s, with its own users"),
	BUCKET("bucket", "buckets", "give %s a bucket of its own, such as %s-%1$s"),
	IAM_ROLE("IAM role", "IAM roles", "give %s an IAM role of its own, allowed only %1$s's resources"),
	IMAGE_REPOSITORY("image repository", "image repositories", "give %s an image repository of its own"),
	SECRET("credential Secret", "credential Secrets",
			"reference a Secret of %s's own, in %1$s's own namespace (see deploy/k8s/README.md)"),
	USER("RabbitMQ user", "RabbitMQ users", "use %s's own user, <environment>-<service>"),
	SECRET_PATH("secret store path", "secret store paths",
			"read %s's secrets from a path of its own in the store, such as %1$s/%s"),
	FLUX_PATH("path Flux applies", "paths Flux applies",
			"point %s's Flux Kustomization at its own overlay of the GitOps repository, such as ./overlays/%1$s");

	private final String singular;

	private final String plural;

	private final String fix;

	ClaimKind(String singular, String plural, String fix) {
		this.singular = singular;
		this.plural = plural;
		this.fix = fix;
	}

	String label(int count) {
		return count == 1 ? singular : plural;
	}

	/** How to fix it; some kinds suggest a name derived from the shared one. */
	String fix(String environment, String sharedValue) {
		return fix.formatted(environment, sharedValue);
	}
}
