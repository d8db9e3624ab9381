package io.stagecoach.support;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a missing or unknown environment or service into a short startup report instead of a stack trace. */
class StagecoachConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<StagecoachConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, StagecoachConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
