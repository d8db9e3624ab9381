package io.stagecoach.events;

import java.util.List;

/**
 * An event that breaks the contract: not JSON, too large, an unknown type, or not matching its schema.
 * Each problem names the field (as a dotted path such as {@code data.release.digest}) and what is wrong.
 */
public class InvalidEventException extends RuntimeException {

    private final List<String> problems;

    public InvalidEventException(List<String> problems) {
        super(String.join("; ", requireSome(problems)));
        this.problems = List.copyOf(problems);
    }

    public InvalidEventException(String problem) {
        this(List.of(problem));
    }

    /** What is wrong, one message per problem, in document order where it has one. */
    public List<String> problems() {
        return problems;
    }

    private static List<String> requireSome(List<String> problems) {
        if (problems == null || problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid event has at least one problem");
        }
        return problems;
    }
}
