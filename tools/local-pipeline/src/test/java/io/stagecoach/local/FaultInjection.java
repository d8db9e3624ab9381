package io.stagecoach.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.SocketFactory;

import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.DeployTarget;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.deploy.RunningRelease;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.amqp.autoconfigure.ConnectionFactoryCustomizer;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Faults injected into the service contexts of a {@link LocalPipeline} from outside the services' code: an
 * initializer of every Spring application of this module's tests ({@code META-INF/spring.factories}) that does
 * nothing unless the context has {@link #property()} (one JVM: the state is static). For each such context it
 * <ul>
 * <li>records the sockets of its broker connections (a socket factory on the connection factory that all of a
 * service's connections, listeners, publishers, ledger feed and leadership, are made from), so that
 * {@link #kill} can reset them as the kernel does when a process dies;</li>
 * <li>points the services of one environment at another address, a {@link BlackholeProxy};</li>
 * <li>calls a {@link Hook} just before and just after the deploy target commits and pushes to Git.</li>
 * </ul>
 */
public final class FaultInjection implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /** What the test does at the hook points; it runs on the service's thread that deploys. */
    interface Hook {

        Hook NONE = new Hook() {
        };

        default void beforeCommit(Instance instance, Deployment deployment) {
        }

        default void afterCommit(Instance instance, Deployment deployment, DeployResult result) {
        }
    }

    /** One instance of a service: {@code replica} is 1 to the pipeline's replicas. */
    record Instance(String environment, String service, int replica) {
    }

    private static final Pattern REPLICA = Pattern.compile("-(\\d+)$");
    /** Per instance, the socket factory of its running context (a restarted one gets a new one). */
    private static final Map<Instance, RecordingSocketFactory> SOCKETS = new ConcurrentHashMap<>();
    private static final Map<String, Integer> REDIRECTS = new ConcurrentHashMap<>();
    private static volatile Hook hook = Hook.NONE;

    private static final String ENABLED = "stagecoach.test.fault-injection";

    /** The property that makes the contexts of a pipeline go through this class. */
    static Map.Entry<String, String> property() {
        return Map.entry(ENABLED, "true");
    }

    /** The services of {@code environment} started from now on connect to 127.0.0.1:{@code port}. */
    static void redirect(String environment, int port) {
        REDIRECTS.put(environment, port);
    }

    static void hook(Hook next) {
        hook = next;
    }

    static void reset() {
        hook = Hook.NONE;
        REDIRECTS.clear();
        SOCKETS.clear();
    }

    /**
     * Kills {@code instances} abruptly: resets every TCP connection they have to the broker (RST, no AMQP close, no
     * acks of what they hold: the broker requeues their unacknowledged deliveries as it does for a process that died),
     * then closes their contexts; from the reset on, they open no connection again. A thread a {@link Hook} holds
     * stays held.
     */
    static void kill(LocalPipeline pipeline, List<Instance> instances) {
        instances.forEach(instance -> SOCKETS.get(instance).kill());
        List<Thread> stops = new ArrayList<>();
        for (Instance instance : instances) {
            Thread stop = new Thread(() -> pipeline.stop(instance.environment(), instance.service(),
                    instance.replica()), "fault-injection-kill");
            stop.start();
            stops.add(stop);
        }
        for (Thread stop : stops) {
            try {
                stop.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        String env = environment.getProperty("stagecoach.environment");
        String service = environment.getProperty("stagecoach.service");
        if (!environment.getProperty(ENABLED, Boolean.class, false) || env == null || service == null) {
            return;
        }
        Matcher matcher = REPLICA.matcher(environment.getProperty("stagecoach.instance", ""));
        Instance instance = new Instance(env, service, matcher.find() ? Integer.parseInt(matcher.group(1)) : 1);
        Integer port = REDIRECTS.get(env);
        if (port != null) {
            environment.getPropertySources().addFirst(new MapPropertySource("fault-injection",
                    Map.of("spring.rabbitmq.host", "127.0.0.1", "spring.rabbitmq.port", String.valueOf(port))));
        }
        RecordingSocketFactory sockets = new RecordingSocketFactory(instance);
        SOCKETS.put(instance, sockets);
        GenericApplicationContext generic = (GenericApplicationContext) context;
        generic.registerBean("faultInjectionSockets", ConnectionFactoryCustomizer.class,
                () -> factory -> factory.setSocketFactory(sockets));
        generic.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                // the Git target itself, inside the retries and the circuit breaker
                return name.equals("deployTargetDelegate") && bean instanceof DeployTarget target
                        ? new HookedTarget(instance, target) : bean;
            }
        });
    }

    private record HookedTarget(Instance instance, DeployTarget target) implements DeployTarget, AutoCloseable {

        @Override
        public DeployResult deploy(Deployment deployment) {
            hook.beforeCommit(instance, deployment);
            DeployResult result = target.deploy(deployment);
            hook.afterCommit(instance, deployment, result);
            return result;
        }

        @Override
        public java.util.Optional<RunningRelease> running(String environment, String service) {
            return target.running(environment, service);
        }

        /** The context closes the bean it holds: the target's Git repository with it. */
        @Override
        public void close() throws Exception {
            if (target instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    /** Plain sockets, each remembered; once killed, it resets them and makes none: a dead process connects no more. */
    private static final class RecordingSocketFactory extends SocketFactory {

        private final Instance instance;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private volatile boolean dead;

        RecordingSocketFactory(Instance instance) {
            this.instance = instance;
        }

        void kill() {
            dead = true;
            for (Socket socket : sockets) {
                try {
                    socket.setSoLinger(true, 0);
                    socket.close();
                } catch (IOException e) {
                    // closed already
                }
            }
            sockets.clear();
        }

        private Socket recorded(Socket socket) throws IOException {
            sockets.removeIf(Socket::isClosed);
            sockets.add(socket);
            if (dead) {
                kill();
                throw new SocketException(instance + " was killed");
            }
            return socket;
        }

        @Override
        public Socket createSocket() throws IOException {
            return recorded(new Socket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return recorded(new Socket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return recorded(new Socket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return recorded(new Socket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return recorded(new Socket(address, port, localAddress, localPort));
        }
    }
}
