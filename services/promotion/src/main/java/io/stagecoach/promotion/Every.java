package io.stagecoach.promotion;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.springframework.context.SmartLifecycle;

/**
 * A task the service runs every so often on a daemon thread of its own, from the context's start to its stop: the
 * ledger checkpoints, the drift comparison, the decisions on what a freeze parked and the hand-offs after a soak. The
 * task decides itself whether this replica leads.
 */
abstract class Every implements SmartLifecycle {

    private final String thread;
    private ScheduledExecutorService executor;

    Every(String thread) {
        this.thread = thread;
    }

    /** How long between the end of one run and the start of the next. */
    abstract Duration interval();

    /** Whether the task runs at all here. */
    boolean enabled() {
        return true;
    }

    /** One run; an exception is the task's own to report, it does not stop the next run. */
    abstract void run();

    /**
     * For a task only the leading replica runs: {@code check} when {@code leads} says so, a failure logged as
     * {@code could not <what> (next try in <interval>)} and left for the next run.
     */
    final void whenLeading(java.util.function.BooleanSupplier leads, Runnable check, org.slf4j.Logger log,
                           String what) {
        if (!leads.getAsBoolean()) {
            return;
        }
        try {
            check.run();
        } catch (RuntimeException e) {
            log.warn("could not {} (next try in {}): {}", what, interval(), e.toString());
        }
    }

    @Override
    public synchronized void start() {
        if (!enabled() || executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread daemon = new Thread(r, thread);
            daemon.setDaemon(true);
            return daemon;
        });
        long every = Math.max(1, interval().toMillis());
        executor.scheduleWithFixedDelay(this::run, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
