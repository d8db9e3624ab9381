package io.stagecoach.lint;

import static io.stagecoach.lint.DeployFiles.edit;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets read from a store by the External Secrets Operator: each environment's {@code ExternalSecret}s must read
 * paths of its own; two environments reading one path share a credential as surely as two sharing a Secret.
 */
class ExternalSecretsTests {

	@TempDir
	Path repository;

	static String externalSecret(String name, String key, String extracted) {
		return """
				apiVersion: external-secrets.io/v1beta1
				kind: ExternalSecret
				metadata:
				  name: %s
				spec:
				  refreshInterval: 1h
				  secretStoreRef:
				    kind: ClusterSecretStore
				    name: vault
				  target:
				    name: %1$s
				  data:
				    - secretKey: password
				      remoteRef:
				        key: %s
				  dataFrom:
				    - extract:
				        key: %s
				""".formatted(name, key, extracted);
	}

	void addTo(String overlay, String content) {
		try {
			Files.writeString(repository.resolve("overlays/" + overlay + "/external-secrets.yaml"), content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		edit(repository.resolve("overlays/" + overlay + "/kustomization.yaml"), "  - people.yaml\n",
				"  - people.yaml\n  - external-secrets.yaml\n");
	}

	Report lint() {
		return new Linter("files", "developers").lint(repository);
	}

	@Test
	void eachEnvironmentReadingPathsOfItsOwnIsFine() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository);
		addTo("dev", externalSecret("shop-db", "shop/dev/db", "shop/dev/api"));
		addTo("prd", externalSecret("shop-db", "shop/prod/db", "shop/prod/api"));

		assertThat(lint().findings()).isEmpty();
	}

	@Test
	void aPathProdReadsThatDevReadsTooIsAnErrorInProdsOverlay() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository);
		addTo("dev", externalSecret("shop-db", "shop/dev/db", "shop/shared/api"));
		addTo("prd", externalSecret("shop-db", "shop/prod/db", "shop/shared/api"));

		assertThat(lint().findings()).extracting(Finding::line).containsExactly(
				"overlays/prd/kustomization.yaml: error: prod shares the secret store path \"shop/shared/api\" with dev"
						+ " — fix: read prod's secrets from a path of its own in the store, such as prod/shop/shared/api");
	}

	@Test
	void theKeysAnExternalSecretReadsAreItsDataItsExtractsAndWhereItsSearchesStart() {
		var node = Yaml.MAPPER.readTree("""
				kind: ExternalSecret
				spec:
				  data:
				    - {secretKey: a, remoteRef: {key: staging/a}}
				    - {secretKey: b, remoteRef: {key: staging/a}}
				  dataFrom:
				    - extract: {key: staging/b}
				    - find: {path: staging/c, name: {regexp: ".*"}}
				""");

		assertThat(Claims.externalSecretPaths(node)).containsExactly("staging/a", "staging/b", "staging/c");
	}
}
