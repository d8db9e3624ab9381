package io.stagecoach.platform.topology;

/** The management API answered a request with an error status. */
public class ManagementApiException extends RuntimeException {

    private final int status;
    private final String body;

    public ManagementApiException(String message, int status, String body) {
        super(message);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    /** The broker's answer, e.g. {@code {"error":"bad_request","reason":"..."}}. */
    public String body() {
        return body;
    }

    /** Whether retrying with other credentials, or as an administrator, is the fix (nothing else will work). */
    public boolean isAuthorisationProblem() {
        return status == 401 || status == 403;
    }
}
