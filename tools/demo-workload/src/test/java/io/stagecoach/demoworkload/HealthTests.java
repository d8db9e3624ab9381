package io.stagecoach.demoworkload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class HealthTests {

    private static final Settings SETTINGS = new Settings(0, "dev", "app", Path.of("k.yaml"), null, "-bad");

    @Test
    void writesJsonThatParsesBackToTheSameFields() {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("service", "app");
        body.put("version", null);
        body.put("detail", "k.yaml is not YAML: \"quoted\"\\ back\nslash\ttab\u0001");

        String json = new Health(503, body).json();

        assertThat(JsonMapper.builder().build().readValue(json, Map.class)).isEqualTo(body);
    }

    @Test
    void isUpForAGoodVersionAndDownForABadOne() {
        Health up = Health.of(SETTINGS, overlay("images:\n  - name: r/app\n    newTag: 1.0.0\n"));
        Health bad = Health.of(SETTINGS, overlay("images:\n  - name: r/app\n    newTag: 1.0.1-bad\n"));
        Health unknown = Health.of(SETTINGS, overlay("images: []\n"));

        assertThat(up.status()).isEqualTo(200);
        assertThat(up.body()).containsEntry("status", "UP").containsEntry("version", "1.0.0");
        assertThat(bad.status()).isEqualTo(503);
        assertThat(bad.body()).containsEntry("status", "DOWN").containsEntry("version", "1.0.1-bad");
        assertThat(unknown.status()).isEqualTo(503);
        assertThat(unknown.body()).containsEntry("status", "DOWN").containsKey("detail");
    }

    @Test
    void judgesVersionsByItsOwnBadMarker() {
        Settings staging = new Settings(0, "staging", "app", Path.of("k.yaml"), null, "-bad.staging");

        assertThat(Health.of(staging, overlay("images:\n  - name: r/app\n    newTag: 1.0.1-bad.1\n")).status())
                .isEqualTo(200);
        assertThat(Health.of(staging, overlay("images:\n  - name: r/app\n    newTag: 1.0.1-bad.staging\n")).status())
                .isEqualTo(503);
    }

    private static OverlaySource overlay(String text) {
        return new OverlaySource() {
            @Override
            public String read() {
                return text;
            }

            @Override
            public String describe() {
                return "test overlay";
            }
        };
    }
}
