package io.stagecoach.demoworkload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code GET /health} answers: UP with the version the overlay declares, DOWN (503) when that version is
 * marked bad (the instance's bad marker, {@code -bad} by default, in it: the demo's way to ship a broken release)
 * or cannot be read.
 */
record Health(int status, Map<String, String> body) {

    static Health of(Settings settings, OverlaySource overlay) {
        String text;
        try {
            text = overlay.read();
        } catch (Exception e) {
            return down(settings, null, "cannot read " + overlay.describe() + ": " + e.getMessage());
        }
        Optional<String> version;
        try {
            version = KustomizeImages.newTag(text, settings.service());
        } catch (IllegalArgumentException e) {
            return down(settings, null, overlay.describe() + " is " + e.getMessage());
        }
        if (version.isEmpty()) {
            return down(settings, null, overlay.describe() + " has no images: entry with a newTag for "
                    + settings.service());
        }
        if (version.get().contains(settings.badMarker())) {
            return down(settings, version.get(), "version " + version.get() + " is a bad build");
        }
        Health up = new Health(200, body(settings, version.get(), "UP", null));
        OverlaySource flags = OverlaySource.flags(settings);
        if (flags != null) {
            up.body().put("flags", flagsDigest(flags));
        }
        return up;
    }

    /**
     * {@code sha256:<hex>} of the flags file as it is now, what a release carrying flags expects to be served; null
     * when there is none (no release with flags has come here) or it cannot be read.
     */
    static String flagsDigest(OverlaySource flags) {
        try {
            byte[] content = flags.read().getBytes(StandardCharsets.UTF_8);
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /** The body as JSON; written by hand, so the workload needs no JSON library to start. */
    String json() {
        StringBuilder json = new StringBuilder("{");
        body.forEach((name, value) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append(quote(name)).append(':').append(value == null ? "null" : quote(value));
        });
        return json.append('}').toString();
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    private static Health down(Settings settings, String version, String detail) {
        return new Health(503, body(settings, version, "DOWN", detail));
    }

    private static Map<String, String> body(Settings settings, String version, String status, String detail) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("service", settings.service());
        body.put("environment", settings.environment());
        body.put("version", version);
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        return body;
    }
}
