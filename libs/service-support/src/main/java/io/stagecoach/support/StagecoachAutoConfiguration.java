package io.stagecoach.support;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.PublishingRights;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionNameStrategy;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.amqp.autoconfigure.ConnectionFactoryCustomizer;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.amqp.autoconfigure.RabbitTemplateCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.util.StringUtils;

/**
 * Resolves this process's environment and service and connects to that environment's vhost as the
 * service's own user, with publisher confirms and returns on a publishing connection of its own.
 */
@AutoConfiguration(before = RabbitAutoConfiguration.class)
@EnableConfigurationProperties(StagecoachProperties.class)
public final class StagecoachAutoConfiguration {

    /** The common tag every meter of a Stagecoach process carries. */
    public static final String ENVIRONMENT_TAG = "environment";

    @Bean
    @ConditionalOnMissingBean
    Environments stagecoachEnvironments(StagecoachProperties properties) {
        Environments environments = properties.environmentsFile() != null
                ? Environments.load(properties.environmentsFile())
                : Environments.loadDefault();
        return StringUtils.hasText(properties.vhostPrefix())
                ? environments.withVhostPrefix(properties.vhostPrefix())
                : environments;
    }

    /** Who runs where and who may publish what: the table the broker definitions come from. */
    @Bean
    @ConditionalOnMissingBean
    PublishingRights stagecoachPublishingRights(Environments environments) {
        return PublishingRights.of(environments);
    }

    @Bean
    @ConditionalOnMissingBean
    StagecoachIdentity stagecoachIdentity(StagecoachProperties properties, Environments environments,
            PublishingRights rights) {
        StagecoachIdentity identity = StagecoachIdentity.of(environment(properties, environments), service(properties));
        requireRunsThere(identity, environments, rights);
        return identity;
    }

    /**
     * A service started where it has no work fails at once: the broker has neither a user nor an inbox for it
     * there, so it would only fail later, less clearly (a refused login, a missing queue).
     */
    private static void requireRunsThere(StagecoachIdentity identity, Environments environments,
            PublishingRights rights) {
        Principal service = identity.service();
        if (rights.runsIn(service, identity.environmentName())) {
            return;
        }
        List<String> where = rights.environmentsOf(service);
        String consumed = service.consumes().stream().map(EventType::eventName).collect(Collectors.joining(", "));
        throw new StagecoachConfigurationException("The " + service.id() + " service does not run in environment '"
                + identity.environmentName() + "': nobody may publish what it consumes (" + consumed + ") there, so "
                + "the broker has no inbox and no user for it in vhost " + identity.vhost() + ".",
                where.isEmpty() ? "It runs in no environment of " + environments.source() + "; do not start it."
                        : "Start it only in " + (where.size() == 1 ? "environment " : "environments ")
                                + String.join(", ", where) + " (stagecoach.environment), and not in "
                                + identity.environmentName() + ".");
    }

    @Bean
    @ConditionalOnMissingBean
    Environment stagecoachEnvironment(StagecoachIdentity identity) {
        return identity.environment();
    }

    @Bean
    ConnectionFactoryCustomizer stagecoachCredentials(StagecoachIdentity identity,
            org.springframework.core.env.Environment springEnvironment) {
        requireSameVhost(identity, springEnvironment.getProperty("spring.rabbitmq.virtual-host"));
        requirePasswordForRemoteBroker(identity.user(), Credentials.fromEnvironment(), brokerHosts(springEnvironment));
        return connectionFactory -> {
            connectionFactory.setVirtualHost(identity.vhost());
            connectionFactory.setUsername(identity.user());
            connectionFactory.setPassword(Credentials.passwordFor(identity.user()));
        };
    }

    /**
     * The vhost is the environment's; a deployment that also names one ({@code SPRING_RABBITMQ_VIRTUAL_HOST}) must name
     * the same, or it was patched for another environment.
     */
    static void requireSameVhost(StagecoachIdentity identity, String configured) {
        if (StringUtils.hasText(configured) && !configured.equals(identity.vhost())) {
            throw new StagecoachConfigurationException("spring.rabbitmq.virtual-host is " + configured + " but environment '"
                    + identity.environmentName() + "' uses vhost " + identity.vhost() + ".",
                    "Set spring.rabbitmq.virtual-host (SPRING_RABBITMQ_VIRTUAL_HOST) to " + identity.vhost()
                            + " or leave it out, or correct stagecoach.environment.");
        }
    }

    /**
     * The local-only default password ({@code <user>-local-only}) is for a broker on this machine only: against any
     * other broker a service without a configured password fails at start, saying where the password goes, instead
     * of being refused at login (or, worse, accepted by a broker provisioned with local-only passwords).
     */
    static void requirePasswordForRemoteBroker(String user, Credentials credentials, List<String> brokerHosts) {
        if (credentials.hasConfiguredPassword(user)) {
            return;
        }
        List<String> remote = brokerHosts.stream().filter(host -> !isLoopback(host)).toList();
        if (remote.isEmpty()) {
            return;
        }
        throw new StagecoachConfigurationException("No password is configured for RabbitMQ user " + user
                + ", and the broker (" + String.join(", ", remote) + ") is not on this machine: the local-only "
                + "default password is never used there.",
                "Mount the Secret holding " + user + "'s password as the file " + credentials.source(user)
                        + " (set " + Credentials.SECRETS_DIR_VARIABLE + " to its directory), or set "
                        + Credentials.variableFor(user) + ".");
    }

    /** The hosts of {@code spring.rabbitmq.addresses} when set, else {@code spring.rabbitmq.host} (default localhost). */
    static List<String> brokerHosts(org.springframework.core.env.Environment environment) {
        String addresses = environment.getProperty("spring.rabbitmq.addresses");
        if (!StringUtils.hasText(addresses)) {
            return List.of(environment.getProperty("spring.rabbitmq.host", "localhost"));
        }
        return Arrays.stream(addresses.split(",")).map(String::strip).filter(StringUtils::hasText)
                .map(StagecoachAutoConfiguration::hostOf).toList();
    }

    private static String hostOf(String address) {
        String rest = address.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
        rest = rest.substring(rest.lastIndexOf('@') + 1);
        int slash = rest.indexOf('/');
        rest = slash < 0 ? rest : rest.substring(0, slash);
        if (rest.startsWith("[")) {
            int end = rest.indexOf(']');
            return end < 0 ? rest : rest.substring(1, end);
        }
        int colon = rest.indexOf(':');
        return colon < 0 ? rest : rest.substring(0, colon);
    }

    private static boolean isLoopback(String host) {
        String name = host.toLowerCase(java.util.Locale.ROOT);
        return name.equals("localhost") || name.endsWith(".localhost") || name.startsWith("127.")
                || name.equals("::1") || name.equals("0:0:0:0:0:0:0:1");
    }

    @Bean
    @ConditionalOnMissingBean
    ConnectionNameStrategy stagecoachConnectionNames(StagecoachIdentity identity, StagecoachProperties properties) {
        String name = connectionName(identity.user(), properties);
        return connectionFactory -> name;
    }

    /** {@code stagecoach <user>}, and {@code (<instance>)} when the replica has a name. */
    static String connectionName(String what, StagecoachProperties properties) {
        return "stagecoach " + what + (StringUtils.hasText(properties.instance()) ? " (" + properties.instance() + ")"
                : "");
    }

    /** Confirms and returns are what make a publish count as done: not left to configuration. */
    @Bean
    static BeanPostProcessor stagecoachPublisherConfirms() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof CachingConnectionFactory factory) {
                    factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
                    factory.setPublisherReturns(true);
                }
                return bean;
            }
        };
    }

    @Bean
    RabbitTemplateCustomizer stagecoachPublisherConnection() {
        return template -> {
            template.setUsePublisherConnection(true);
            template.setMandatory(true);
        };
    }

    @Bean
    MeterRegistryCustomizer<MeterRegistry> stagecoachEnvironmentTag(StagecoachIdentity identity) {
        return registry -> registry.config().commonTags(ENVIRONMENT_TAG, identity.environmentName());
    }

    private static Environment environment(StagecoachProperties properties, Environments environments) {
        String known = environments.all().stream().map(Environment::name).collect(Collectors.joining(", "));
        if (!StringUtils.hasText(properties.environment())) {
            throw new StagecoachConfigurationException(
                    "No Stagecoach environment is set: a Stagecoach service serves exactly one environment.",
                    "Set stagecoach.environment (or STAGECOACH_ENVIRONMENT) to one of: " + known + ".");
        }
        return environments.all().stream()
                .filter(environment -> environment.name().equals(properties.environment()))
                .findFirst()
                .orElseThrow(() -> new StagecoachConfigurationException(
                        "Unknown Stagecoach environment '" + properties.environment() + "'.",
                        "Set stagecoach.environment to one of: " + known + " (or add '" + properties.environment()
                                + "' to the environments file)."));
    }

    private static Principal service(StagecoachProperties properties) {
        String known = Arrays.stream(Principal.values()).filter(Principal::isService).map(Principal::id)
                .collect(Collectors.joining(", "));
        if (!StringUtils.hasText(properties.service())) {
            throw new StagecoachConfigurationException("No Stagecoach service is set.",
                    "Set stagecoach.service to the id of this application, one of: " + known + ".");
        }
        return Principal.fromId(properties.service())
                .filter(Principal::isService)
                .orElseThrow(() -> new StagecoachConfigurationException(
                        "Unknown Stagecoach service '" + properties.service() + "'.",
                        "Set stagecoach.service to one of: " + known + "."));
    }
}
