package io.stagecoach.platform.topology;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.json.JsonMapper;

/**
 * Broker definitions in the format of RabbitMQ's {@code GET /api/definitions} (and of
 * {@code rabbitmqctl import_definitions}), limited to what Stagecoach declares.
 */
@JsonPropertyOrder({"users", "vhosts", "permissions", "topic_permissions", "parameters", "queues", "exchanges", "bindings"})
@JsonIgnoreProperties(ignoreUnknown = true)
public record Definitions(
        List<User> users,
        List<Vhost> vhosts,
        List<Permission> permissions,
        @JsonProperty("topic_permissions") List<TopicPermission> topicPermissions,
        List<Parameter> parameters,
        List<Queue> queues,
        List<Exchange> exchanges,
        List<Binding> bindings) {

    static final JsonMapper JSON = JsonMapper.builder().build();

    public Definitions {
        users = List.copyOf(orEmpty(users));
        vhosts = List.copyOf(orEmpty(vhosts));
        permissions = List.copyOf(orEmpty(permissions));
        topicPermissions = List.copyOf(orEmpty(topicPermissions));
        parameters = List.copyOf(orEmpty(parameters));
        queues = List.copyOf(orEmpty(queues));
        exchanges = List.copyOf(orEmpty(exchanges));
        bindings = List.copyOf(orEmpty(bindings));
    }

    @JsonPropertyOrder({"name"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Vhost(String name) {
    }

    /** A user; the definitions never carry a password hash: the provisioner sets passwords ({@code PasswordPolicy}). */
    @JsonPropertyOrder({"name", "password_hash", "hashing_algorithm", "tags"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record User(
            String name,
            @JsonProperty("password_hash") String passwordHash,
            @JsonProperty("hashing_algorithm") String hashingAlgorithm,
            String tags) {
    }

    @JsonPropertyOrder({"user", "vhost", "configure", "write", "read"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Permission(String user, String vhost, String configure, String write, String read) {
    }

    @JsonPropertyOrder({"user", "vhost", "exchange", "write", "read"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TopicPermission(String user, String vhost, String exchange, String write, String read) {
    }

    @JsonPropertyOrder({"value", "vhost", "component", "name"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Parameter(Map<String, Object> value, String vhost, String component, String name) {
        public Parameter {
            value = new LinkedHashMap<>(value);
        }
    }

    @JsonPropertyOrder({"name", "vhost", "durable", "auto_delete", "arguments"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Queue(
            String name,
            String vhost,
            boolean durable,
            @JsonProperty("auto_delete") boolean autoDelete,
            Map<String, Object> arguments) {
        public Queue {
            arguments = new LinkedHashMap<>(orEmpty(arguments));
        }
    }

    @JsonPropertyOrder({"name", "vhost", "type", "durable", "auto_delete", "internal", "arguments"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Exchange(
            String name,
            String vhost,
            String type,
            boolean durable,
            @JsonProperty("auto_delete") boolean autoDelete,
            boolean internal,
            Map<String, Object> arguments) {
        public Exchange {
            arguments = new LinkedHashMap<>(orEmpty(arguments));
        }
    }

    @JsonPropertyOrder({"source", "vhost", "destination", "destination_type", "routing_key", "arguments"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Binding(
            String source,
            String vhost,
            String destination,
            @JsonProperty("destination_type") String destinationType,
            @JsonProperty("routing_key") String routingKey,
            Map<String, Object> arguments) {
        public Binding {
            arguments = new LinkedHashMap<>(orEmpty(arguments));
        }
    }

    /** Pretty-printed, in a stable order, ending in a newline: the form committed to the repository. */
    public String toJson() {
        Separators separators = Separators.createDefaultInstance()
                .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators)
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter);
        return JSON.writer().with(printer).writeValueAsString(this) + "\n";
    }

    public static Definitions fromJson(String json) {
        return JSON.readValue(json, Definitions.class);
    }

    /** The part of these definitions that lives in {@code vhost} (users: those with a permission there). */
    public Definitions inVhost(String vhost) {
        List<String> usersThere = permissions.stream().filter(p -> p.vhost().equals(vhost)).map(Permission::user).toList();
        return new Definitions(
                users.stream().filter(u -> usersThere.contains(u.name())).toList(),
                vhosts.stream().filter(v -> v.name().equals(vhost)).toList(),
                only(permissions, Permission::vhost, vhost),
                only(topicPermissions, TopicPermission::vhost, vhost),
                only(parameters, Parameter::vhost, vhost),
                only(queues, Queue::vhost, vhost),
                only(exchanges, Exchange::vhost, vhost),
                only(bindings, Binding::vhost, vhost));
    }

    public Optional<Queue> queue(String vhost, String name) {
        return queues.stream().filter(q -> q.vhost().equals(vhost) && q.name().equals(name)).findFirst();
    }

    public Optional<Permission> permission(String vhost, String user) {
        return permissions.stream().filter(p -> p.vhost().equals(vhost) && p.user().equals(user)).findFirst();
    }

    public Optional<TopicPermission> topicPermission(String vhost, String user, String exchange) {
        return topicPermissions.stream()
                .filter(p -> p.vhost().equals(vhost) && p.user().equals(user) && p.exchange().equals(exchange))
                .findFirst();
    }

    private static <T> List<T> only(List<T> items, Function<T, String> vhostOf, String vhost) {
        return items.stream().filter(i -> vhostOf.apply(i).equals(vhost)).toList();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
