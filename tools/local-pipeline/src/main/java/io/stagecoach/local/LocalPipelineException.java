package io.stagecoach.local;

/** The local pipeline could not start; the message names what did not start and why. */
public final class LocalPipelineException extends RuntimeException {

    public LocalPipelineException(String message, Throwable cause) {
        super(message, cause);
    }
}
