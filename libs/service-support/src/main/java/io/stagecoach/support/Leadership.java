package io.stagecoach.support;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.stagecoach.events.BrokerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Which replica of a service runs its sweeps and timers in its environment: the one whose connection holds the
 * service's exclusive leader queue ({@link BrokerNames#leaderQueue}). Every replica tries to declare it every
 * {@code retryInterval}; the broker gives it to one connection and refuses the others ({@code 405 RESOURCE_LOCKED})
 * until that connection closes: a replica that stops or dies (its socket closes, or its heartbeats stop) frees it,
 * and a standby takes it at its next try. Inboxes need none of this: each has a single active consumer, and the
 * broker moves that to a standby consumer by itself.
 *
 * <p>The leader and the active consumer of an inbox may be different replicas; sweeps publish events with ids
 * derived from what they decide, so one decided twice around a hand-over is the same event, skipped (ADR 18).
 */
public final class Leadership implements SmartLifecycle {

    /** After the ledger's replay (a sweep decides from the ledger), before the listener containers. */
    static final int PHASE = Integer.MAX_VALUE - 500;

    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    private final ConnectionFactory connectionFactory;
    private final String queue;
    private final String who;
    private final Duration retryInterval;
    private final String connectionName;
    private final AtomicBoolean leader = new AtomicBoolean();
    private volatile boolean stopping;
    private ScheduledExecutorService executor;
    private Connection connection;
    /** Every node of a cluster, tried in order; null for the factory's one host. */
    private volatile List<Address> nodes;

    /**
     * @param connectionFactory connects to the service's vhost as its user (may declare its leader queue); its
     *                          connection is the leader's own, without automatic recovery
     */
    public Leadership(ConnectionFactory connectionFactory, StagecoachIdentity identity, Duration retryInterval,
                      String connectionName) {
        this.connectionName = connectionName;
        this.connectionFactory = connectionFactory.clone();
        this.connectionFactory.setAutomaticRecoveryEnabled(false);
        this.queue = BrokerNames.leaderQueue(identity.service().id());
        this.who = identity.service().id() + " in " + identity.environmentName();
        this.retryInterval = retryInterval;
    }

    /** Connects to the first of {@code clusterNodes} that answers, instead of the connection factory's host. */
    public Leadership nodes(List<Address> clusterNodes) {
        this.nodes = List.copyOf(clusterNodes);
        return this;
    }

    /** Whether this replica runs the service's sweeps and timers now. */
    public boolean isLeader() {
        return leader.get();
    }

    /** Runs {@code work} if this replica leads; says whether it did. */
    public boolean ifLeader(Runnable work) {
        if (!isLeader()) {
            return false;
        }
        work.run();
        return true;
    }

    @Override
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        stopping = false;
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "stagecoach-leadership-" + queue);
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, retryInterval.toMillis());
        executor.scheduleWithFixedDelay(this::tryToLead, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Declares the leader queue unless this replica holds it already. */
    synchronized void tryToLead() {
        if (stopping || leader.get() && connection != null && connection.isOpen()) {
            return;
        }
        try {
            if (connection == null || !connection.isOpen()) {
                List<Address> cluster = nodes;
                Connection opened = cluster == null ? connectionFactory.newConnection(connectionName)
                        : connectionFactory.newConnection(cluster, connectionName);
                opened.addShutdownListener(this::lost);
                connection = opened;
            }
            Channel channel = connection.createChannel();
            channel.queueDeclare(queue, false, true, true, Map.of());
            if (!leader.getAndSet(true)) {
                log.info("this replica of {} leads now: it runs the sweeps and timers (holds {})", who, queue);
            }
            close(channel);
        } catch (IOException e) {
            if (!isLocked(e)) {
                log.warn("could not try to lead {} (next try in {}): {}", who, retryInterval, e.toString());
            }
        } catch (TimeoutException | RuntimeException e) {
            log.warn("could not try to lead {} (next try in {}): {}", who, retryInterval, e.toString());
        }
    }

    private void lost(ShutdownSignalException cause) {
        if (leader.getAndSet(false) && !stopping) {
            log.warn("this replica of {} no longer leads (its leader connection closed: {}); it tries again every {}",
                    who, cause.getMessage(), retryInterval);
        }
    }

    /** Another connection holds the queue: this replica stands by. */
    private static boolean isLocked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ShutdownSignalException signal && String.valueOf(signal.getReason()).contains("RESOURCE_LOCKED")) {
                return true;
            }
            if (String.valueOf(t.getMessage()).contains("RESOURCE_LOCKED")) {
                return true;
            }
        }
        return false;
    }

    private static void close(Channel channel) {
        try {
            channel.close();
        } catch (IOException | TimeoutException | RuntimeException ignored) {
            // the queue belongs to the connection, not the channel
        }
    }

    /** Stops trying and lets go: closing the connection deletes the queue at once, so a standby takes over. */
    @Override
    public void stop() {
        ScheduledExecutorService running;
        synchronized (this) {
            stopping = true;
            running = executor;
            executor = null;
        }
        if (running != null) {
            running.shutdownNow();
        }
        synchronized (this) {
            leader.set(false);
            if (connection != null) {
                try {
                    connection.close(2_000);
                } catch (IOException | RuntimeException ignored) {
                    // closed already
                }
                connection = null;
            }
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
