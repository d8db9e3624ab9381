package io.stagecoach.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against a real RabbitMQ: a Testcontainers broker where a Docker engine runs,
 * the local broker otherwise ({@code STAGECOACH_TEST_BROKER=local|container} forces one). A missing
 * broker fails the class; it is never skipped.
 *
 * <p>A {@link TestBroker} is injected into {@code @BeforeAll}, {@code @BeforeEach} and {@code @Test}
 * parameters and into fields of that type (static or not). Each class gets its own name prefix; every
 * vhost and user named {@code <prefix>-...} is deleted after the class.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(RealBrokerExtension.class)
public @interface RealBroker {
}
