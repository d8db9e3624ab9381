package io.stagecoach.lint;

/** An overlay that cannot be read or rendered; reported as a finding, never thrown out of the linter. */
final class RenderException extends RuntimeException {

	RenderException(String message) {
		super(message);
	}
}
