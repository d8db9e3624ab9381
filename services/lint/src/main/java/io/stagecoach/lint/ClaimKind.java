package io.stagecoach.lint;

/** Things each environment must have to itself. */
enum ClaimKind {

	NAMESPACE("namespace", "namespaces", "give %s a namespace of its own"),
	VHOST("RabbitMQ vhost", "RabbitMQ vhosts", "give %s a vhost of its own (and its own users and permissions there)"),
	BUCKET("bucket", "buckets", "give %s a bucket of its own"),
	IAM_ROLE("IAM role", "IAM roles", "give %s an IAM role of its own, allowed only %1$s's resources"),
	IMAGE_REPOSITORY("image repository", "image repositories", "give %s an image repository of its own"),
	SECRET("credential Secret", "credential Secrets",
			"reference a Secret of %s's own, in %1$s's own namespace (see deploy/k8s/README.md)"),
	USER("RabbitMQ user", "RabbitMQ users", "use %s's own user, <environment>-<service>");

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

	String fix(String environment) {
		return fix.formatted(environment);
	}
}
