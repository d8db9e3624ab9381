package io.stagecoach.ledger;

import io.stagecoach.events.CloudEvent;

/** One event read from an environment's audit stream, with who published it and where it sits. */
public record AuditRecord(CloudEvent<?> event, String routingKey, String publisher, long offset) {
}
