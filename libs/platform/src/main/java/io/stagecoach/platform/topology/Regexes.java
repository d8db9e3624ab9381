package io.stagecoach.platform.topology;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Permission patterns (RabbitMQ matches them as PCRE; these use only the part Java shares with it). */
final class Regexes {

    /** Matches no resource and no routing key (RabbitMQ's documented "no permission" pattern). */
    static final String NOTHING = "^$";

    private Regexes() {
    }

    static String quote(String literal) {
        return literal.replaceAll("([\\\\.^$|?*+()\\[\\]{}])", "\\\\$1");
    }

    /** {@code ^(a|b)$} over regex fragments; {@link #NOTHING} for none. */
    static String anyOf(Collection<String> fragments) {
        if (fragments.isEmpty()) {
            return NOTHING;
        }
        if (fragments.size() == 1) {
            return "^" + fragments.iterator().next() + "$";
        }
        return "^(" + String.join("|", fragments) + ")$";
    }

    static String anyOfLiterals(Collection<String> literals) {
        return anyOf(literals.stream().map(Regexes::quote).toList());
    }

    /** Literals as one fragment: {@code a} or {@code (a|b)}. */
    static String group(List<String> literals) {
        return literals.size() == 1 ? quote(literals.get(0))
                : "(" + literals.stream().map(Regexes::quote).collect(Collectors.joining("|")) + ")";
    }

    /**
     * Routing keys as one fragment per subject and environment, outcomes grouped:
     * {@code deployment\.(completed|failed)\.dev}.
     */
    static List<String> routingKeyFragments(List<RoutingKey> keys) {
        record SubjectIn(String subject, String environment) {
        }
        Map<SubjectIn, List<String>> outcomes = new LinkedHashMap<>();
        for (RoutingKey key : keys) {
            outcomes.computeIfAbsent(new SubjectIn(key.type().subject(), key.environment()), k -> new ArrayList<>())
                    .add(key.type().outcome());
        }
        return outcomes.entrySet().stream().map(e -> quote(e.getKey().subject()) + "\\." + group(e.getValue())
                + "\\." + quote(e.getKey().environment())).toList();
    }
}
