package io.stagecoach.support;

/** The process was started without a usable Stagecoach identity; the message says what to set. */
public class StagecoachConfigurationException extends IllegalStateException {

    private final String action;

    public StagecoachConfigurationException(String message, String action) {
        super(message);
        this.action = action;
    }

    public StagecoachConfigurationException(String message, String action, Throwable cause) {
        super(message, cause);
        this.action = action;
    }

    /** What the operator should do about it. */
    public String action() {
        return action;
    }
}
