package io.stagecoach.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How a {@link LocalPipeline} runs.
 *
 * @param workdir          where it keeps its state: the GitOps repository {@code gitops.git}, one clone per
 *                         deploying process under {@code clones/}, optional overrides under {@code config/}
 * @param amqpHost         the RabbitMQ host every service connects to
 * @param amqpPort         its AMQP port
 * @param amqpTls          whether the services talk TLS to it
 * @param environmentNames the environments to run, in any order; empty for every environment of the path
 * @param environmentsFile an environments file instead of the default one, or null
 * @param vhostPrefix      a prefix of every vhost and namespace (as provisioned), or null
 * @param webServers       whether each service gets a web server (actuator, {@code POST /builds}, {@code POST /alerts})
 * @param basePort         the first port of the web servers, numbered in start order; 0 for free ports
 * @param parallelism      how many services (and demo workloads) start at the same time
 * @param smokeDeadline    how long the smoke tests of one deployment may keep retrying
 * @param badMarkers       per environment, the version marker its demo workloads answer 503 for (default
 *                         {@code -bad})
 * @param images           per service, the image repository the GitOps repository is seeded with (default
 *                         {@code ghcr.io/acme/<service>}, what the README's builds use)
 * @param logFile          where the services log (the console then shows errors only), or null for the console
 * @param properties       further Spring properties for every service, e.g. shorter retry waits
 * @param replicas         how many instances of each service run side by side (each inbox has one active consumer,
 *                         the others stand by; one instance leads the sweeps): 1, or more to try a failover
 * @param amqpAddresses    every node of a RabbitMQ cluster ({@code host:port}), which the services try in order
 *                         ({@code spring.rabbitmq.addresses}) instead of {@code amqpHost}:{@code amqpPort}; empty
 *                         for one broker
 */
public record LocalPipelineSettings(Path workdir, String amqpHost, int amqpPort, boolean amqpTls,
                                    List<String> environmentNames, @Nullable Path environmentsFile,
                                    @Nullable String vhostPrefix, boolean webServers, int basePort, int parallelism,
                                    Duration smokeDeadline, Map<String, String> badMarkers, Map<String, String> images,
                                    @Nullable Path logFile, Map<String, String> properties, int replicas,
                                    List<String> amqpAddresses) {

    public static final String DEFAULT_BAD_MARKER = "-bad";
    public static final String DEFAULT_IMAGES = "ghcr.io/acme/";
    /**
     * Every context of a path of up to four environments at once: much of a start is waiting (the broker, the audit
     * stream's end, Git), so on two cores the starts of all environments side by side end sooner than in waves.
     */
    public static final int DEFAULT_PARALLELISM = 16;

    public LocalPipelineSettings {
        Objects.requireNonNull(workdir, "workdir");
        Objects.requireNonNull(amqpHost, "amqpHost");
        Objects.requireNonNull(smokeDeadline, "smokeDeadline");
        if (amqpPort < 1 || amqpPort > 65535) {
            throw new IllegalArgumentException("the AMQP port must be between 1 and 65535, was " + amqpPort);
        }
        if (basePort < 0 || basePort > 65535) {
            throw new IllegalArgumentException("the base port must be between 0 and 65535, was " + basePort);
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, was " + replicas);
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
        }
        environmentNames = List.copyOf(environmentNames);
        badMarkers = Map.copyOf(badMarkers);
        images = Map.copyOf(images);
        properties = Map.copyOf(properties);
        amqpAddresses = List.copyOf(amqpAddresses);
        for (String address : amqpAddresses) {
            int colon = address.lastIndexOf(':');
            if (colon < 1 || !address.substring(colon + 1).matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException("an AMQP address is host:port, was '" + address + "'");
            }
        }
    }

    /** Where the services connect: every node of the cluster, or the one host. */
    public String describeBroker() {
        return amqpAddresses.isEmpty() ? amqpHost + ":" + amqpPort : String.join(",", amqpAddresses);
    }

    public static Builder builder(Path workdir) {
        return new Builder(workdir);
    }

    /** The marker the demo workloads of {@code environment} answer 503 for. */
    public String badMarker(String environment) {
        return badMarkers.getOrDefault(environment, DEFAULT_BAD_MARKER);
    }

    /** The image repository of {@code service}. */
    public String image(String service) {
        return images.getOrDefault(service, DEFAULT_IMAGES + service);
    }

    /** Defaults: the local broker on 127.0.0.1:5672, the default environments, web servers on free ports. */
    public static final class Builder {

        private final Path workdir;
        private String amqpHost = "127.0.0.1";
        private int amqpPort = 5672;
        private boolean amqpTls;
        private final List<String> environmentNames = new ArrayList<>();
        private Path environmentsFile;
        private String vhostPrefix;
        private boolean webServers = true;
        private int basePort;
        private int parallelism = DEFAULT_PARALLELISM;
        private Duration smokeDeadline = Duration.ofSeconds(20);
        private final Map<String, String> badMarkers = new LinkedHashMap<>();
        private final Map<String, String> images = new LinkedHashMap<>();
        private Path logFile;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private int replicas = 1;
        private final List<String> amqpAddresses = new ArrayList<>();

        private Builder(Path workdir) {
            this.workdir = workdir;
        }

        public Builder amqp(String host, int port) {
            this.amqpHost = host;
            this.amqpPort = port;
            return this;
        }

        /**
         * Every node of a RabbitMQ cluster, comma-separated {@code host:port} ({@code spring.rabbitmq.addresses});
         * the first is also the host and port; a single address is just {@link #amqp(String, int)}.
         */
        public Builder amqpAddresses(String addresses) {
            amqpAddresses.clear();
            for (String address : addresses.split(",")) {
                if (!address.isBlank()) {
                    amqpAddresses.add(address.trim());
                }
            }
            if (!amqpAddresses.isEmpty()) {
                String first = amqpAddresses.get(0);
                int colon = first.lastIndexOf(':');
                if (colon > 0 && first.substring(colon + 1).matches("[0-9]{1,5}")) {
                    amqp(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)));
                }
            }
            if (amqpAddresses.size() == 1) {
                amqpAddresses.clear();
            }
            return this;
        }

        public Builder amqpTls(boolean tls) {
            this.amqpTls = tls;
            return this;
        }

        /** Only these environments (services, workloads); none named means every environment of the path. */
        public Builder environmentNames(Collection<String> names) {
            environmentNames.clear();
            environmentNames.addAll(names);
            return this;
        }

        public Builder environmentsFile(@Nullable Path file) {
            this.environmentsFile = file;
            return this;
        }

        public Builder vhostPrefix(@Nullable String prefix) {
            this.vhostPrefix = prefix == null || prefix.isBlank() ? null : prefix;
            return this;
        }

        public Builder webServers(boolean enabled) {
            this.webServers = enabled;
            return this;
        }

        public Builder basePort(int port) {
            this.basePort = port;
            return this;
        }

        public Builder parallelism(int threads) {
            this.parallelism = threads;
            return this;
        }

        public Builder smokeDeadline(Duration deadline) {
            this.smokeDeadline = deadline;
            return this;
        }

        public Builder badMarker(String environment, String marker) {
            badMarkers.put(environment, marker);
            return this;
        }

        public Builder image(String service, String repository) {
            images.put(service, repository);
            return this;
        }

        public Builder logFile(@Nullable Path file) {
            this.logFile = file;
            return this;
        }

        public Builder property(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** Instances of each service side by side (default 1). */
        public Builder replicas(int instances) {
            this.replicas = instances;
            return this;
        }

        public LocalPipelineSettings build() {
            return new LocalPipelineSettings(workdir, amqpHost, amqpPort, amqpTls, environmentNames,
                    environmentsFile, vhostPrefix, webServers,
                    basePort, parallelism, smokeDeadline, badMarkers, images, logFile, properties, replicas,
                    amqpAddresses);
        }
    }
}
