package io.stagecoach.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesFileTests {

    private static final String DIGEST = "sha256:" + "c".repeat(64);

    private static final String VALUES = """
            # values for staging
            replicaCount: 2
            image:
                repository: ghcr.io/acme/knative-lambda-builder   # the builder
                tag: "1.4.1"  # promoted by Stagecoach
                pullPolicy: IfNotPresent
            service:
                port: 8080
            """;

    private static String set(String content, String tag, String digest) {
        return ValuesFile.set("values.yaml", content,
                List.of(new String[] {"image.tag", tag}, new String[] {"image.digest", digest}));
    }

    @Test
    void setsTheTagInPlaceAndAddsTheDigestBesideIt() {
        assertThat(set(VALUES, "1.4.2", DIGEST)).isEqualTo("""
                # values for staging
                replicaCount: 2
                image:
                    repository: ghcr.io/acme/knative-lambda-builder   # the builder
                    tag: "1.4.2"  # promoted by Stagecoach
                    pullPolicy: IfNotPresent
                    digest: %s
                service:
                    port: 8080
                """.formatted(DIGEST));
    }

    @Test
    void emptiesThePresentDigestWhenTheReleaseHasNone() {
        String pinned = set(VALUES, "1.4.2", DIGEST);

        assertThat(set(pinned, "1.4.3", null)).isEqualTo(pinned
                .replace("1.4.2", "1.4.3").replace("digest: " + DIGEST, "digest: \"\""));
    }

    @Test
    void changesNothingWhenTheValuesAreAlreadySet() {
        String pinned = set(VALUES, "1.4.2", DIGEST);

        assertThat(set(pinned, "1.4.2", DIGEST)).isEqualTo(pinned);
        assertThat(set(VALUES, "1.4.1", null)).isEqualTo(VALUES);
    }

    @Test
    void createsTheMappingWhenTheFileHasNone() {
        assertThat(set("replicaCount: 1\n", "1.0.0", DIGEST)).isEqualTo("""
                replicaCount: 1
                image:
                  tag: 1.0.0
                  digest: %s
                """.formatted(DIGEST));
    }

    @Test
    void readsNestedKeys() {
        assertThat(ValuesFile.read("values.yaml", VALUES, "image.tag")).hasValue("1.4.1");
        assertThat(ValuesFile.read("values.yaml", VALUES, "service.port")).hasValue("8080");
        assertThat(ValuesFile.read("values.yaml", VALUES, "image.digest")).isEmpty();
        assertThat(ValuesFile.read("values.yaml", VALUES, "port")).isEmpty();
    }

    @Test
    void refusesAFlowMappingItCannotEditInPlace() {
        assertThatThrownBy(() -> set("image: {tag: 1.0.0}\n", "1.1.0", null))
                .isInstanceOf(MalformedManifestException.class)
                .hasMessage("values.yaml:1: 'image' must be a block mapping to set image.tag");
    }
}
