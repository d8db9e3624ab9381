package io.stagecoach.platform.topology;

/** The management API did not answer at all: nothing was read or changed. */
public class BrokerUnreachableException extends RuntimeException {

    public BrokerUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
