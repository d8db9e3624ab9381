package io.stagecoach.platform.audit;

/** An audit stream could not be read (missing stream, no permission, connection lost). */
public class AuditStreamException extends RuntimeException {

    public AuditStreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
