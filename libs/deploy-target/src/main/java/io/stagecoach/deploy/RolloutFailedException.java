package io.stagecoach.deploy;

/** The new release was set but did not become ready: the rollout failed or did not finish in time. */
public final class RolloutFailedException extends PermanentTargetException {

    public RolloutFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
