package io.stagecoach.deploy;

/** A failure that may go away: an unreachable remote or API server, a lost race with another writer, a 5xx. */
public final class TransientTargetException extends DeployTargetException {

    public TransientTargetException(String message, Throwable cause) {
        super(message, cause);
    }

    public TransientTargetException(String message) {
        this(message, null);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
