package io.stagecoach.events;

import java.util.List;

/**
 * The one way producers and consumers turn events into bytes and back. Both directions hold the event to
 * the envelope and to its type's JSON Schema, so nothing invalid is published and nothing invalid is acted on.
 * Thread-safe; the schemas are loaded once per class loader.
 */
public final class EventCodec {

    /** The largest event accepted, in bytes (256 KiB). */
    public static final int MAX_EVENT_BYTES = 256 * 1024;

    /** Validates {@code event} and returns its structured-mode JSON (UTF-8). */
    public byte[] encode(CloudEvent<?> event) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Checks the size, parses, validates envelope and data against the type's schema, and reads the event. */
    public CloudEvent<?> decode(byte[] payload) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** {@link #decode(byte[])}, also requiring the data to be a {@code dataType}. */
    public <T extends EventData> CloudEvent<T> decode(byte[] payload, Class<T> dataType) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The problems of {@code payload}; empty when it is a valid event. */
    public List<String> problems(byte[] payload) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
