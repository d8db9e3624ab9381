package io.stagecoach.platform.topology;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.stagecoach.events.EventType;

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
        Map<String, List<String>> outcomes = new LinkedHashMap<>();
        for (RoutingKey key : keys) {
            outcomes.computeIfAbsent(quote(key.type().subject()) + "\u0000" + quote(key.environment()),
                    k -> new java.util.ArrayList<>()).add(quote(key.type().outcome()));
        }
        return outcomes.entrySet().stream().map(e -> {
            String[] parts = e.getKey().split("\u0000");
            List<String> o = e.getValue();
            String outcome = o.size() == 1 ? o.get(0) : "(" + String.join("|", o) + ")";
            return parts[0] + "\\." + outcome + "\\." + parts[1];
        }).toList();
    }

    /** An event type addressed to an environment: {@code <subject>.<outcome>.<environment>}. */
    record RoutingKey(EventType type, String environment) {
        @Override
        public String toString() {
            return type.routingKey(environment);
        }
    }
}
