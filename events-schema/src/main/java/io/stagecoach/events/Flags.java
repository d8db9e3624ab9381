package io.stagecoach.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import tools.jackson.databind.JsonNode;

/**
 * The feature flags a release carries: one flagd flag definition file, content-addressed. Each environment the
 * release is deployed to gets exactly this content as the service's flags file, so a flag change moves through the
 * pipeline the way the image does, and a rollback to an earlier release restores that release's flags.
 *
 * @param digest  {@code sha256:} and the 64 lower-case hex digits of the SHA-256 of {@code content}'s UTF-8 bytes
 * @param content the flags file, byte for byte as written (flagd JSON)
 */
public record Flags(String digest, String content) {

    /** The largest flags file a release carries (characters), so that every event of the release stays small. */
    public static final int MAX_CONTENT = 65_536;

    /** The flags of {@code content}, its digest computed. */
    public static Flags of(String content) {
        return new Flags(digestOf(content), content);
    }

    /** {@code sha256:<hex>} of {@code content}'s UTF-8 bytes: what a flags file with this content hashes to. */
    public static String digestOf(String content) {
        return digestOf(content.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code sha256:<hex>} of {@code bytes}. */
    public static String digestOf(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /** The digest's first 12 hex digits, for people. */
    @JsonIgnore
    public String shortDigest() {
        return digest == null ? "" : digest.substring(digest.indexOf(':') + 1, Math.min(digest.length(),
                digest.indexOf(':') + 13));
    }

    /**
     * What is wrong with these flags, for a release to be refused: a digest that is not the content's, content that
     * is too long, not JSON, or not a valid flagd flag definition. Empty when they can be deployed.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (content == null || content.isBlank()) {
            problems.add("the flags have no content");
            return problems;
        }
        if (content.length() > MAX_CONTENT) {
            problems.add("the flags file has " + content.length() + " characters, more than " + MAX_CONTENT);
            return problems;
        }
        String actual = digestOf(content);
        if (!actual.equals(digest)) {
            problems.add("the flags' digest " + digest + " is not their content's (" + actual + ")");
        }
        JsonNode document;
        try {
            document = FlagDefinitions.parse(content);
        } catch (IllegalArgumentException e) {
            problems.add("the flags are " + e.getMessage());
            return problems;
        }
        FlagDefinitions.problems(document).forEach(problem -> problems.add(problem.message()));
        return problems;
    }

    @Override
    public String toString() {
        return "flags " + digest;
    }
}
