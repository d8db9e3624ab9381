package io.stagecoach.promotion;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Semantic Versioning 2.0 version, ordered by its precedence rules: numeric core first, a pre-release sorts
 * before its release ({@code 1.1.0-bad < 1.1.0}), build metadata is ignored.
 */
record SemanticVersion(BigInteger major, BigInteger minor, BigInteger patch, List<String> preRelease)
        implements Comparable<SemanticVersion> {

    private static final String IDENTIFIER = "(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)";

    private static final Pattern SEMVER = Pattern.compile(
            "v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
                    + "(?:-(" + IDENTIFIER + "(?:\\." + IDENTIFIER + ")*))?"
                    + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");

    private static final Pattern NUMERIC = Pattern.compile("\\d+");

    SemanticVersion {
        preRelease = List.copyOf(preRelease);
    }

    /** The version {@code text} names, empty when it is not a semantic version (e.g. {@code latest}). */
    static Optional<SemanticVersion> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = SEMVER.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
        return Optional.of(new SemanticVersion(new BigInteger(m.group(1)), new BigInteger(m.group(2)),
                new BigInteger(m.group(3)), pre));
    }

    /** Whether {@code text} is a semantic version as events carry it (no leading {@code v}). */
    static boolean isStrict(String text) {
        return text != null && !text.startsWith("v") && parse(text).isPresent();
    }

    /**
     * Whether {@code candidate} has lower precedence than {@code reference}; false when either is not a semantic
     * version, since then nothing can be said about their order.
     */
    static boolean isOlder(String candidate, String reference) {
        Optional<SemanticVersion> a = parse(candidate);
        Optional<SemanticVersion> b = parse(reference);
        return a.isPresent() && b.isPresent() && a.get().compareTo(b.get()) < 0;
    }

    @Override
    public int compareTo(SemanticVersion other) {
        int core = major.compareTo(other.major);
        if (core == 0) {
            core = minor.compareTo(other.minor);
        }
        if (core == 0) {
            core = patch.compareTo(other.patch);
        }
        if (core != 0) {
            return core;
        }
        if (preRelease.isEmpty() || other.preRelease.isEmpty()) {
            // a release outranks any of its pre-releases
            return Boolean.compare(preRelease.isEmpty(), other.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), other.preRelease.size()); i++) {
            int c = compareIdentifier(preRelease.get(i), other.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), other.preRelease.size());
    }

    private static int compareIdentifier(String a, String b) {
        boolean numericA = NUMERIC.matcher(a).matches();
        boolean numericB = NUMERIC.matcher(b).matches();
        if (numericA && numericB) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        if (numericA != numericB) {
            // numeric identifiers sort before alphanumeric ones
            return numericA ? -1 : 1;
        }
        return a.compareTo(b);
    }
}
