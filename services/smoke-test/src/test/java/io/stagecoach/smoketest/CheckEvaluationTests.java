package io.stagecoach.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.stream.Stream;

import io.stagecoach.events.SmokeCheck.Result;
import io.stagecoach.smoketest.CheckEvaluation.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckEvaluationTests {

    static Stream<Arguments> answers() {
        return Stream.of(
                row("right status, no field asked", 200, null, 200, "ok", Result.PASSED, "200 as expected"),
                row("right status and version", 200, "version", 200, "{\"version\":\"1.4.2\"}", Result.PASSED,
                        "200 with version 1.4.2"),
                row("a nested field", 200, "build.version", 200, "{\"build\":{\"version\":\"1.4.2\"}}",
                        Result.PASSED, "200 with build.version 1.4.2"),
                row("another expected status", 204, null, 204, "", Result.PASSED, "204 as expected"),
                row("wrong status", 200, "version", 503, "{\"status\":\"DOWN\"}", Result.FAILED,
                        "answered 503, expected 200: {\"status\":\"DOWN\"}"),
                row("wrong version", 200, "version", 200, "{\"version\":\"1.4.1\"}", Result.FAILED,
                        "version is '1.4.1', expected '1.4.2'"),
                row("no such field", 200, "version", 200, "{\"status\":\"UP\"}", Result.FAILED,
                        "the answer has no field version: {\"status\":\"UP\"}"),
                row("a null field", 200, "version", 200, "{\"version\":null}", Result.FAILED,
                        "the answer has no field version: {\"version\":null}"),
                row("not JSON", 200, "version", 200, "<html>up</html>", Result.FAILED,
                        "the answer is not JSON, so it has no field version: <html>up</html>"));
    }

    private static Arguments row(Object... values) {
        return Arguments.of(values);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void judgesAnAnswer(String description, int expectedStatus, String jsonField, int status, String body,
            Result result, String detail) {
        Verdict verdict = CheckEvaluation.answered(expectedStatus, jsonField, "1.4.2", status, body);

        assertThat(verdict.result()).isEqualTo(result);
        assertThat(verdict.actualStatus()).isEqualTo(status);
        assertThat(verdict.detail()).isEqualTo(detail);
    }

    @Test
    void noAnswerIsAnErrorSayingWhy() {
        Duration timeout = Duration.ofSeconds(2);

        assertThat(CheckEvaluation.failedToAsk(new ConnectException(), timeout))
                .isEqualTo(new Verdict(Result.ERROR, null, "connection refused"));
        assertThat(CheckEvaluation.failedToAsk(new HttpTimeoutException("x"), timeout).detail())
                .isEqualTo("no answer within PT2S");
        assertThat(CheckEvaluation.failedToAsk(new HttpConnectTimeoutException("x"), timeout).detail())
                .isEqualTo("no connection within PT2S");
        ConnectException unresolved = new ConnectException();
        unresolved.initCause(new java.nio.channels.UnresolvedAddressException());
        assertThat(CheckEvaluation.failedToAsk(unresolved, timeout).detail()).isEqualTo("host not found");
        assertThat(CheckEvaluation.failedToAsk(new java.io.IOException("wrapper",
                new java.nio.channels.UnresolvedAddressException()), timeout).detail()).isEqualTo("host not found");
    }
}
