package io.stagecoach.platform.audit;

import java.time.Instant;
import java.util.Date;
import java.util.Objects;

/** Where reading a stream starts: the value of the consumer argument {@code x-stream-offset}. */
public final class StreamOffset {

    private final Object argument;
    private final String description;

    private StreamOffset(Object argument, String description) {
        this.argument = argument;
        this.description = description;
    }

    /** The oldest message the stream still keeps. */
    public static StreamOffset first() {
        return new StreamOffset("first", "first");
    }

    /** The last chunk written (so at least the newest message, often a few before it). */
    public static StreamOffset last() {
        return new StreamOffset("last", "last");
    }

    /** Only messages written after subscribing. */
    public static StreamOffset next() {
        return new StreamOffset("next", "next");
    }

    /** The message at this offset (0 is the first message ever written) and those after it. */
    public static StreamOffset at(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("A stream offset is 0 or more, not " + offset);
        }
        return new StreamOffset(offset, "offset " + offset);
    }

    /** Messages written at or after {@code timestamp} (at second precision, a chunk at a time). */
    public static StreamOffset at(Instant timestamp) {
        Objects.requireNonNull(timestamp, "timestamp");
        // a java.util.Date is sent as an AMQP timestamp, the type the broker expects here
        return new StreamOffset(Date.from(timestamp), "timestamp " + timestamp);
    }

    Object argument() {
        return argument;
    }

    /** The numeric offset asked for, or -1: messages before it (in the same chunk) are skipped. */
    long minimum() {
        return argument instanceof Long offset ? offset : -1;
    }

    @Override
    public String toString() {
        return description;
    }
}
