package io.stagecoach.buildcompleted.webhook;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * How far a signed timestamp may be from this service's clock, either way. It bounds the replay memory: a delivery
 * accepted at time {@code t} carries a timestamp no further than the window from {@code t}, so its signature is
 * refused from {@code t + 2 × window} on, and the audit stream that refuses it until then must keep it that long.
 */
final class SignatureWindow {

    private final Duration window;
    private final Clock clock;

    SignatureWindow(Duration window, Clock clock) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("stagecoach.webhook.signature-window must be positive, not " + window);
        }
        this.window = window;
        this.clock = clock;
    }

    Duration window() {
        return window;
    }

    /** How long a delivery id must be remembered after it was accepted: as long as its signature could be valid. */
    Duration memory() {
        return window.multipliedBy(2);
    }

    /**
     * Refuses to run a window the first environment's audit stream cannot outlast.
     *
     * @throws IllegalStateException naming both settings
     */
    void requireRetention(String environment, Duration auditRetention) {
        if (auditRetention.compareTo(memory()) <= 0) {
            throw new IllegalStateException("the audit retention of " + environment + " (" + auditRetention
                    + ") must be longer than twice stagecoach.webhook.signature-window (" + window + "): the audit "
                    + "stream is what refuses a replayed delivery while its signature is valid");
        }
    }

    /** Why {@code timestamp} (Unix seconds, digits) is outside the window; empty when it is inside. */
    Optional<String> outside(String timestamp) {
        long sent = Long.parseLong(timestamp);
        long now = clock.instant().getEpochSecond();
        long seconds = window.toSeconds();
        if (sent < now - seconds) {
            return Optional.of(Signatures.TIMESTAMP_HEADER + " " + timestamp + " is " + (now - sent)
                    + " s old: a signature is accepted for " + seconds + " s either side of this service's clock ("
                    + now + "); sign again with the current time");
        }
        if (sent > now + seconds) {
            return Optional.of(Signatures.TIMESTAMP_HEADER + " " + timestamp + " is " + (sent - now)
                    + " s ahead: a signature is accepted for " + seconds + " s either side of this service's clock ("
                    + now + "); check the sender's clock");
        }
        return Optional.empty();
    }
}
