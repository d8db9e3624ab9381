package io.stagecoach.platform.environments;

import java.util.List;

/**
 * An environments file that Stagecoach refuses to run with. Carries every problem found, each
 * naming where (file, environment, field, line), what is wrong and how to fix it.
 */
public class InvalidEnvironmentsException extends RuntimeException {

    private final String source;
    private final List<String> problems;

    public InvalidEnvironmentsException(String source, List<String> problems) {
        super(message(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The file (or other source) the environments came from. */
    public String source() {
        return source;
    }

    /** One line per problem, in file order. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String source, List<String> problems) {
        StringBuilder text = new StringBuilder("Invalid environments file ").append(source).append(": ")
                .append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
        problems.forEach(p -> text.append(System.lineSeparator()).append("  - ").append(p));
        return text.toString();
    }
}
