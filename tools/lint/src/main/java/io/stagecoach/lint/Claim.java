package io.stagecoach.lint;

/**
 * An environment's use of a name that must be its alone.
 *
 * @param kind what sort of name
 * @param value the name
 * @param environment whose
 * @param file where it is said
 */
record Claim(ClaimKind kind, String value, String environment, String file) {
}
