package io.stagecoach.deploy;

/** A failure that may go away: an unreachable remote or API server, a lost race with another writer, a 5xx. */
public final class TransientTargetException extends DeployTargetException {

    private final boolean contention;

    public TransientTargetException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public TransientTargetException(String message) {
        this(message, null);
    }

    private TransientTargetException(String message, Throwable cause, boolean contention) {
        super(message, cause);
        this.contention = contention;
    }

    /**
     * Other writers kept moving the target while this one tried to land its change: the target is healthy and busy,
     * so a retry is right but the failure says nothing against the target (it does not count against a circuit
     * breaker).
     */
    public static TransientTargetException contention(String message) {
        return new TransientTargetException(message, null, true);
    }

    /** Whether other writers' changes, not the target's health, made the call fail. */
    public boolean isContention() {
        return contention;
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
