package io.stagecoach.demoworkload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class HealthTests {

    private static final Settings SETTINGS = new Settings(0, "dev", "app", Path.of("k.yaml"), null, "-bad", null);

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
    void reportsTheDigestOfTheFlagsFileAsItIsNowAndNoneWhileThereIsNone(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path flags = dir.resolve("app.flagd.json");
        Settings withFlags = new Settings(0, "dev", "app", Path.of("k.yaml"), null, "-bad", flags.toString());
        OverlaySource good = overlay("images:\n  - name: r/app\n    newTag: 1.0.0\n");

        Health before = Health.of(withFlags, good);
        java.nio.file.Files.writeString(flags, "{\"flags\": {}}\n");
        Health after = Health.of(withFlags, good);

        assertThat(before.body()).containsEntry("flags", null);
        // sha256sum of the file's bytes
        assertThat(after.body()).containsEntry("flags",
                "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest("{\"flags\": {}}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertThat(Health.of(SETTINGS, good).body()).doesNotContainKey("flags");
    }

    @Test
    void judgesVersionsByItsOwnBadMarker() {
        Settings staging = new Settings(0, "staging", "app", Path.of("k.yaml"), null, "-bad.staging", null);

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
