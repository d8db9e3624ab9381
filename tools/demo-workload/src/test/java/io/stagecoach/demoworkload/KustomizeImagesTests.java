package io.stagecoach.demoworkload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KustomizeImagesTests {

    private static final String OVERLAY = """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - ../../base
            images:
              # sidecar first: the service's entry is found by name, not position
              - name: ghcr.io/example/log-shipper
                newTag: 9.9.9
              - name: ghcr.io/example/knative-lambda-builder
                newTag: 1.4.2 # pinned by Stagecoach
                digest: sha256:26dca24a8c21f87a59dca1e79a59e89d4261172cacee9eeb8ccbdc9333ef3bfd
            """;

    @Test
    void readsTheNewTagOfTheServicesImageEntry() {
        assertThat(KustomizeImages.newTag(OVERLAY, "knative-lambda-builder")).contains("1.4.2");
        assertThat(KustomizeImages.newTag(OVERLAY, "log-shipper")).contains("9.9.9");
    }

    @Test
    void keepsATagThatLooksLikeANumberAsWritten() {
        assertThat(KustomizeImages.newTag("images:\n  - name: x/app\n    newTag: 1.10\n", "app")).contains("1.10");
    }

    @Test
    void findsNothingForAServiceWithoutAnEntry() {
        assertThat(KustomizeImages.newTag(OVERLAY, "payments")).isEmpty();
        assertThat(KustomizeImages.newTag("kind: Kustomization\n", "payments")).isEmpty();
        assertThat(KustomizeImages.newTag("images:\n  - name: ghcr.io/x/payments\n", "payments")).isEmpty();
    }

    @Test
    void refusesTextThatIsNotYaml() {
        assertThatIllegalArgumentException().isThrownBy(() -> KustomizeImages.newTag("images: [oops", "x"))
                .withMessageStartingWith("not YAML");
    }

    @ParameterizedTest
    @CsvSource({
            "ghcr.io/example/knative-lambda-builder, knative-lambda-builder",
            "knative-lambda-builder, knative-lambda-builder",
            "localhost:5000/knative-lambda-builder:1.0, knative-lambda-builder",
            "registry.local:5000/team/app@sha256:abc, app",
            "app:1.0, app"
    })
    void namesTheRepositoryOfAnImageReference(String image, String expected) {
        assertThat(KustomizeImages.repositoryName(image)).isEqualTo(expected);
    }
}
