package io.stagecoach.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per promoted service (the {@code service} of a release): decisions on one service run one at a time,
 * decisions on different services in parallel. The locks are fair, so deliveries for one service are decided in the
 * order their consumers asked for the lock. A handler takes the lock around its whole decision: the ledger check for
 * what was handled already, the side effect and the publish; the container acks only after it returned.
 */
public final class ServiceLocks {

    /** Promoted services are few and named in the environments file: one lock each is kept for good. */
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** The lock of {@code service}. */
    public ReentrantLock of(String service) {
        return locks.computeIfAbsent(service, s -> new ReentrantLock(true));
    }
}
