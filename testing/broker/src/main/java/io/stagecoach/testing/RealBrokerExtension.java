package io.stagecoach.testing;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/** The extension behind {@link RealBroker}: one {@link TestBroker} per test class, cleaned up after it. */
public final class RealBrokerExtension
        implements BeforeAllCallback, AfterAllCallback, TestInstancePostProcessor, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealBrokerExtension.class);
    private static final String KEY = "broker";

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        TestBroker broker = brokerFor(context);
        for (Class<?> type = context.getRequiredTestClass(); type != null; type = type.getSuperclass()) {
            inject(type, null, broker, true);
        }
    }

    @Override
    public void postProcessTestInstance(Object instance, ExtensionContext context) throws IllegalAccessException {
        TestBroker broker = brokerFor(context);
        for (Class<?> type = instance.getClass(); type != null; type = type.getSuperclass()) {
            inject(type, instance, broker, false);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestBroker broker = context.getStore(NAMESPACE).remove(KEY, TestBroker.class);
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return brokerFor(context);
    }

    /** The broker of the test class {@code context} belongs to, made when first asked for. */
    public static TestBroker brokerFor(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE)
                .computeIfAbsent(KEY, key -> TestBroker.create(BrokerLocator.shared()), TestBroker.class);
    }

    private static void inject(Class<?> type, Object instance, TestBroker broker, boolean statics)
            throws IllegalAccessException {
        for (Field field : type.getDeclaredFields()) {
            if (field.getType() == TestBroker.class && Modifier.isStatic(field.getModifiers()) == statics
                    && !Modifier.isFinal(field.getModifiers())) {
                field.setAccessible(true);
                field.set(instance, broker);
            }
        }
    }
}
