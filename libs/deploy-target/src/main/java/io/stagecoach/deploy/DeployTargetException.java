package io.stagecoach.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A deployment or a read from a target that did not work; see the two subclasses for whether to retry. */
public abstract sealed class DeployTargetException extends RuntimeException
        permits TransientTargetException, PermanentTargetException {

    DeployTargetException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when the same call may succeed later (network, a push that lost a race, a 5xx). */
    public abstract boolean isTransient();

    /** True when an IO failure (a lost connection, a timeout, a Git transport error) is among the causes. */
    static boolean causedByIo(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException
                    || t instanceof org.eclipse.jgit.api.errors.TransportException) {
                return true;
            }
        }
        return false;
    }
}
