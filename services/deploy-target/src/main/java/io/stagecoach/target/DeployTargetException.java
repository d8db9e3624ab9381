package io.stagecoach.target;

/** A deployment or a read from a target that did not work; see the two subclasses for whether to retry. */
public abstract sealed class DeployTargetException extends RuntimeException
        permits TransientTargetException, PermanentTargetException {

    DeployTargetException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when the same call may succeed later (network, a push that lost a race, a 5xx). */
    public abstract boolean isTransient();
}
