package io.stagecoach.platform.environments;

import java.util.List;

/**
 * An environments file that Stagecoach refuses to run with. Carries every problem found, each
 * naming where (file, environment, field, line), what is wrong and how to fix it.
 */
public class InvalidEnvironmentsException extends RuntimeException {

    /**
     * One problem of the file.
     *
     * @param line the line it is on, 0 when it is about the file as a whole
     * @param what what is wrong, naming the environment and field (e.g. {@code environment 'prod', field 'gate': ...})
     * @param fix  how to put it right; empty when the problem came without one
     */
    public record Problem(int line, String what, String fix) {

        /** {@code line <n>: <what>; <fix>}, the form {@link #problems()} lists. */
        public String text() {
            return (line > 0 ? "line " + line + ": " : "") + what + (fix.isEmpty() ? "" : "; " + fix);
        }
    }

    private final String source;
    private final List<Problem> details;

    public InvalidEnvironmentsException(String source, List<String> problems) {
        this(source, problems.stream().map(p -> new Problem(0, p, "")).toList(), true);
    }

    // the unused flag tells this constructor from the public one: both take a List
    private InvalidEnvironmentsException(String source, List<Problem> details, boolean structured) {
        super(message(source, details));
        this.source = source;
        this.details = List.copyOf(details);
    }

    /** Refuses {@code source} for {@code details}, in the order given. */
    static InvalidEnvironmentsException of(String source, List<Problem> details) {
        return new InvalidEnvironmentsException(source, details, true);
    }

    /** The file (or other source) the environments came from. */
    public String source() {
        return source;
    }

    /** One line per problem, in file order. */
    public List<String> problems() {
        return details.stream().map(Problem::text).toList();
    }

    /** The problems with their line, what is wrong and the fix apart, in file order (for tools that place them). */
    public List<Problem> details() {
        return details;
    }

    private static String message(String source, List<Problem> problems) {
        StringBuilder text = new StringBuilder("Invalid environments file ").append(source).append(": ")
                .append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
        problems.forEach(p -> text.append(System.lineSeparator()).append("  - ").append(p.text()));
        return text.toString();
    }
}
