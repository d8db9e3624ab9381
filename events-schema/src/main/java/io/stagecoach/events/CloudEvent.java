package io.stagecoach.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A pipeline event: a CloudEvents 1.0 envelope in structured JSON mode around one {@link EventData} record.
 * Encode and decode with {@link EventCodec}, which holds every event to its JSON Schema.
 *
 * @param specversion   always {@value #SPEC_VERSION}
 * @param id            the event's id: the AMQP message id and the consumers' idempotency key (a UUID)
 * @param source        who produced the event, a URI reference such as {@code /stagecoach/dev/promotion}
 * @param type          {@code io.stagecoach.<subject>.<outcome>.v1}, the {@link EventType#type()} of the data
 * @param subject       the service the event is about, e.g. {@code knative-lambda-builder}
 * @param time          when the event happened
 * @param environment   extension: the environment the event belongs to (its routing key's last word)
 * @param correlationid extension: the run, shared by every event of one release's journey
 * @param causationid   extension: the id of the event that caused this one; null only for {@code build.completed}
 * @param data          the event's data
 */
@JsonPropertyOrder({"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "environment",
        "correlationid", "causationid", "data"})
@JsonIgnoreProperties(value = "datacontenttype", allowGetters = true)
public record CloudEvent<T extends EventData>(String specversion, String id, String source, String type,
                                              String subject, Instant time, String environment,
                                              String correlationid, String causationid, T data) {

    public static final String SPEC_VERSION = "1.0";

    /** The {@code datacontenttype} every event carries: its data is always JSON. */
    public static final String DATA_CONTENT_TYPE = "application/json";

    /**
     * A new event about {@code data}, happening now; {@code type} and {@code subject} come from the data.
     *
     * @param causationId the event that caused this one; null only for a {@code build.completed}
     * @param id          the event's id, usually from {@link EventIds#derive(String...)}
     */
    public static <T extends EventData> CloudEvent<T> of(T data, String source, String environment,
                                                         String correlationId, String causationId, String id) {
        Objects.requireNonNull(data, "data");
        return new CloudEvent<>(SPEC_VERSION, id, source, data.eventType().type(), data.subject(),
                Instant.now().truncatedTo(ChronoUnit.MILLIS), environment, correlationId, causationId, data);
    }

    /**
     * An event that {@code cause} led to, in the same run. Its id is derived from the cause's id, the new
     * event's type and environment and any {@code idParts}, so handling the cause again yields the same id.
     */
    public static <T extends EventData> CloudEvent<T> causedBy(CloudEvent<?> cause, T data, String source,
                                                               String environment, String... idParts) {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(data, "data");
        String[] parts = new String[3 + idParts.length];
        parts[0] = cause.id();
        parts[1] = data.eventType().type();
        parts[2] = environment;
        System.arraycopy(idParts, 0, parts, 3, idParts.length);
        return of(data, source, environment, cause.correlationid(), cause.id(), EventIds.derive(parts));
    }

    /** Always {@value #DATA_CONTENT_TYPE}; written into the JSON, not a record component. */
    @JsonProperty("datacontenttype")
    public String datacontenttype() {
        return DATA_CONTENT_TYPE;
    }

    /** The type of the data. */
    @JsonIgnore
    public EventType eventType() {
        return data.eventType();
    }

    /** The routing key the event is published with: {@code <subject>.<outcome>.<environment>}. */
    @JsonIgnore
    public String routingKey() {
        return data.eventType().routingKey(environment);
    }

    /** This event at another time; for tests and replays that need a fixed clock. */
    public CloudEvent<T> withTime(Instant time) {
        return new CloudEvent<>(specversion, id, source, type, subject, time, environment, correlationid,
                causationid, data);
    }
}
