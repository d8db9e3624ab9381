package io.stagecoach.smoketest;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

import io.stagecoach.events.SmokeCheck;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Judges one attempt of a check: the release answered as expected (PASSED), answered wrongly (FAILED, a result), or
 * could not be asked (ERROR, a technical status). Pure.
 */
final class CheckEvaluation {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_BODY_IN_DETAIL = 200;

    private CheckEvaluation() {
    }

    /** What an attempt found. */
    record Verdict(SmokeCheck.Result result, Integer actualStatus, String detail) {
    }

    /** Judges an answer with {@code status} and {@code body}. */
    static Verdict answered(int expectedStatus, String jsonField, String expectedVersion, int status, String body) {
        if (status != expectedStatus) {
            return new Verdict(SmokeCheck.Result.FAILED, status, "answered " + status + ", expected " + expectedStatus
                    + (body == null || body.isBlank() ? "" : ": " + abbreviate(body)));
        }
        if (jsonField == null || jsonField.isBlank()) {
            return new Verdict(SmokeCheck.Result.PASSED, status, status + " as expected");
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(body == null ? "" : body);
        } catch (JacksonException e) {
            return new Verdict(SmokeCheck.Result.FAILED, status, "the answer is not JSON, so it has no field "
                    + jsonField + ": " + abbreviate(body));
        }
        JsonNode value = tree == null ? null : tree.at(pointer(jsonField));
        if (value == null || value.isMissingNode() || value.isNull()) {
            return new Verdict(SmokeCheck.Result.FAILED, status, "the answer has no field " + jsonField + ": "
                    + abbreviate(body));
        }
        String actual = value.isValueNode() ? value.asString() : value.toString();
        if (!expectedVersion.equals(actual)) {
            return new Verdict(SmokeCheck.Result.FAILED, status, jsonField + " is '" + abbreviate(actual)
                    + "', expected '" + expectedVersion + "'");
        }
        return new Verdict(SmokeCheck.Result.PASSED, status, status + " with " + jsonField + " " + actual);
    }

    /** Judges an attempt that got no answer. */
    static Verdict failedToAsk(Throwable failure, Duration timeout) {
        String detail;
        Throwable root = rootCause(failure);
        if (failure instanceof HttpConnectTimeoutException) {
            detail = "no connection within " + timeout;
        } else if (failure instanceof HttpTimeoutException) {
            detail = "no answer within " + timeout;
        } else if (root instanceof UnresolvedAddressException || root instanceof java.net.UnknownHostException) {
            // the JDK client reports an unknown host as a ConnectException caused by this
            detail = "host not found";
        } else if (failure instanceof ConnectException) {
            detail = "connection refused";
        } else if (failure instanceof IOException) {
            detail = "no answer: " + describe(failure);
        } else {
            detail = "could not call: " + describe(failure);
        }
        return new Verdict(SmokeCheck.Result.ERROR, null, detail);
    }

    /** {@code /build/version} of {@code build.version}; a path given as a JSON pointer is used as is. */
    static JsonPointer pointer(String field) {
        return JsonPointer.compile(field.startsWith("/") ? field : "/" + field.replace('.', '/'));
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String describe(Throwable failure) {
        Throwable root = rootCause(failure);
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_BODY_IN_DETAIL ? oneLine : oneLine.substring(0, MAX_BODY_IN_DETAIL) + "…";
    }
}
