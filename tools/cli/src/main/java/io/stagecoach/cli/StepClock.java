package io.stagecoach.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/** The time since a long command began, printed before each of its steps and progress lines: {@code [1:05]}. */
final class StepClock {

    private final PrintWriter out;
    private final long began = System.nanoTime();

    StepClock(PrintWriter out) {
        this.out = out;
    }

    /** A blank line, then {@code [m:ss] what}. */
    void step(String what) {
        out.println();
        out.println("[" + elapsed() + "] " + what);
        out.flush();
    }

    /** Minutes and seconds since the command began: {@code 1:05}. */
    String elapsed() {
        long seconds = Duration.ofNanos(System.nanoTime() - began).toSeconds();
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
