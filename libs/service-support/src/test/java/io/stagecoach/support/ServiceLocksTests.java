package io.stagecoach.support;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceLocksTests {

    final ServiceLocks locks = new ServiceLocks();

    @Test
    void anotherServiceDecidesWhileOneHoldsItsLock() throws Exception {
        ReentrantLock checkout = locks.of("checkout");
        checkout.lock();
        try {
            boolean payments = CompletableFuture.supplyAsync(() -> {
                ReentrantLock lock = locks.of("payments");
                boolean taken = lock.tryLock();
                if (taken) {
                    lock.unlock();
                }
                return taken;
            }).get(5, TimeUnit.SECONDS);

            assertThat(payments).isTrue();
        } finally {
            checkout.unlock();
        }
    }

    @Test
    void theSameServiceWaitsForTheDecisionBeforeIt() throws Exception {
        ReentrantLock checkout = locks.of("checkout");
        checkout.lock();
        try {
            boolean again = CompletableFuture.supplyAsync(() -> locks.of("checkout").tryLock())
                    .get(5, TimeUnit.SECONDS);

            assertThat(again).isFalse();
            assertThat(locks.of("checkout")).isSameAs(checkout);
            assertThat(checkout.isFair()).as("waiting deliveries go in the order they came").isTrue();
        } finally {
            checkout.unlock();
        }
    }
}
