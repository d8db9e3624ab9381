package io.stagecoach.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KustomizeImagesTests {

    private static final String IMAGE = "ghcr.io/acme/knative-lambda-builder";
    private static final String OLD = "sha256:" + "a".repeat(64);
    private static final String NEW = "sha256:" + "b".repeat(64);

    private static final String OVERLAY = """
            # staging overlay: reviewed by the platform team
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            namespace: knative-lambda-staging   # one namespace per environment

            resources:
              - ../../base
            images:
              # the builder itself
              - name: ghcr.io/acme/knative-lambda-builder
                newTag: 1.4.1   # set by Stagecoach
                digest: %s
              - name: ghcr.io/acme/sidecar
                newTag: "2.0.0"

            patches:
              - path: replicas.yaml
            """.formatted(OLD);

    @Test
    void changesOnlyTheTagAndDigestLinesOfTheMatchingEntry() {
        String pinned = KustomizeImages.pin("k.yaml", OVERLAY, IMAGE, "1.4.2", NEW);

        assertThat(pinned).isEqualTo(OVERLAY
                .replace("    newTag: 1.4.1   # set by Stagecoach", "    newTag: 1.4.2   # set by Stagecoach")
                .replace("    digest: " + OLD, "    digest: " + NEW));
    }

    @Test
    void leavesAFileThatAlreadyPinsTheReleaseAsItIs() {
        assertThat(KustomizeImages.pin("k.yaml", OVERLAY, IMAGE, "1.4.1", OLD)).isEqualTo(OVERLAY);
    }

    @Test
    void keepsTheQuoteStyleOfAValue() {
        String pinned = KustomizeImages.pin("k.yaml", OVERLAY, "ghcr.io/acme/sidecar", "2.1.0", null);

        assertThat(pinned).isEqualTo(OVERLAY.replace("    newTag: \"2.0.0\"", "    newTag: \"2.1.0\""));
    }

    @ParameterizedTest
    @CsvSource({
        "1.4.2,    1.4.2",
        "1.10,     '\"1.10\"'",
        "2024,     '\"2024\"'",
        "yes,      '\"yes\"'",
        "v1.0-rc1, v1.0-rc1",
        "1e3,      '\"1e3\"'",
    })
    void quotesATagOnlyWhenYamlWouldReadItAsSomethingElseThanAString(String tag, String written) {
        String pinned = KustomizeImages.pin("k.yaml", OVERLAY, IMAGE, tag, OLD);

        assertThat(pinned).contains("    newTag: " + written + "   # set by Stagecoach\n");
        assertThat(KustomizeImages.read("k.yaml", pinned, IMAGE::equals).orElseThrow().newTag()).isEqualTo(tag);
    }

    @Test
    void addsMissingTagAndDigestLinesIndentedLikeTheEntry() {
        String overlay = """
                images:
                - name: ghcr.io/acme/knative-lambda-builder
                  newName: registry.local/acme/knative-lambda-builder # mirrored
                # trailing comment
                resources:
                - ../../base
                """;

        String pinned = KustomizeImages.pin("k.yaml", overlay, IMAGE, "1.4.2", NEW);

        assertThat(pinned).isEqualTo("""
                images:
                - name: ghcr.io/acme/knative-lambda-builder
                  newName: registry.local/acme/knative-lambda-builder # mirrored
                  newTag: 1.4.2
                  digest: %s
                # trailing comment
                resources:
                - ../../base
                """.formatted(NEW));
    }

    @Test
    void appendsAnEntryForAnImageTheListDoesNotHaveYet() {
        String pinned = KustomizeImages.pin("k.yaml", OVERLAY, "ghcr.io/acme/new-service", "0.1.0", NEW);

        assertThat(pinned).isEqualTo(OVERLAY.replace("""
                    newTag: "2.0.0"
                """, """
                    newTag: "2.0.0"
                  - name: ghcr.io/acme/new-service
                    newTag: 0.1.0
                    digest: %s
                """.formatted(NEW)));
    }

    @Test
    void addsAnImagesListToAKustomizationWithout() {
        String overlay = "resources:\n  - ../../base";

        String pinned = KustomizeImages.pin("k.yaml", overlay, IMAGE, "1.4.2", null);

        assertThat(pinned).isEqualTo("""
                resources:
                  - ../../base
                images:
                  - name: ghcr.io/acme/knative-lambda-builder
                    newTag: 1.4.2""");
    }

    @Test
    void fillsAnEmptyFlowList() {
        String pinned = KustomizeImages.pin("k.yaml", "images: [] # none yet\nnamespace: dev\n", IMAGE, "1.4.2", null);

        assertThat(pinned).isEqualTo("""
                images: # none yet
                  - name: ghcr.io/acme/knative-lambda-builder
                    newTag: 1.4.2
                namespace: dev
                """);
    }

    @Test
    void removesAStaleDigestWhenTheReleaseHasNone() {
        String pinned = KustomizeImages.pin("k.yaml", OVERLAY, IMAGE, "1.4.2", null);

        assertThat(pinned).isEqualTo(OVERLAY
                .replace("    newTag: 1.4.1   # set by Stagecoach", "    newTag: 1.4.2   # set by Stagecoach")
                .replace("    digest: " + OLD + "\n", ""));
    }

    @Test
    void findsTheEntryWhateverTheOrderOfItsKeysAndKeepsWindowsLineEndings() {
        String overlay = "images:\r\n  -\r\n    newTag: 1.0.0\r\n    name: " + IMAGE + "\r\n  - name: other\r\n";

        String pinned = KustomizeImages.pin("k.yaml", overlay, IMAGE, "1.1.0", NEW);

        assertThat(pinned).isEqualTo("images:\r\n  -\r\n    newTag: 1.1.0\r\n    name: " + IMAGE
                + "\r\n    digest: " + NEW + "\r\n  - name: other\r\n");
    }

    @Test
    void readsWhatAnEntryPins() {
        assertThat(KustomizeImages.read("k.yaml", OVERLAY, IMAGE::equals)).hasValueSatisfying(pin -> {
            assertThat(pin.newTag()).isEqualTo("1.4.1");
            assertThat(pin.digest()).isEqualTo(OLD);
            assertThat(pin.image()).isEqualTo(IMAGE);
        });
        assertThat(KustomizeImages.read("k.yaml", OVERLAY, "ghcr.io/acme/unknown"::equals)).isEmpty();
    }

    @Test
    void refusesAFlowStyleEntryForTheImageNamingFileAndLine() {
        String overlay = "images:\n  - {name: " + IMAGE + ", newTag: 1.0.0}\n";

        assertThatThrownBy(() -> KustomizeImages.pin("overlays/dev/kustomization.yaml", overlay, IMAGE, "1.1.0", null))
                .isInstanceOf(MalformedManifestException.class)
                .hasMessageStartingWith("overlays/dev/kustomization.yaml:2: ")
                .satisfies(e -> assertThat(((MalformedManifestException) e).line()).isEqualTo(2));
    }

    @Test
    void refusesATagThatIsNotAPlainValue() {
        String overlay = "images:\n  - name: " + IMAGE + "\n    newTag: &tag 1.0.0\n";

        assertThatThrownBy(() -> KustomizeImages.pin("k.yaml", overlay, IMAGE, "1.1.0", null))
                .isInstanceOf(MalformedManifestException.class)
                .hasMessageContaining("k.yaml:3");
    }
}
