package io.stagecoach.cli;

/**
 * A failure the command explains to the user and turns into its exit status; nothing is printed twice and
 * no stack trace is shown for these.
 */
final class CliException extends RuntimeException {

    private final int exitCode;

    private CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** The pipeline said no, or what was asked for does not exist: exit 1. */
    static CliException pipeline(String message) {
        return new CliException(ExitCodes.PIPELINE, message, null);
    }

    /** The arguments make no sense together, or name something invalid: exit 2. */
    static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message, null);
    }

    /** The broker is unreachable or refused the connection or the publish: exit 3. */
    static CliException broker(String message, Throwable cause) {
        return new CliException(ExitCodes.BROKER, message, cause);
    }

    /** A usage error when {@code option}'s {@code value} is below {@code least}: {@code --builds must be 1 or more}. */
    static void requireAtLeast(String option, int value, int least) {
        if (value < least) {
            throw usage(option + " must be " + least + " or more, not " + value);
        }
    }

    int exitCode() {
        return exitCode;
    }
}
