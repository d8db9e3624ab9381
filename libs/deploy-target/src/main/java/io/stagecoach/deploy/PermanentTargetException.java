package io.stagecoach.deploy;

/** A failure that retrying will not cure: a malformed manifest, a missing overlay or Deployment, a refused push. */
public non-sealed class PermanentTargetException extends DeployTargetException {

    public PermanentTargetException(String message, Throwable cause) {
        super(message, cause);
    }

    public PermanentTargetException(String message) {
        this(message, null);
    }

    @Override
    public final boolean isTransient() {
        return false;
    }
}
