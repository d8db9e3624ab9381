package io.stagecoach.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The commit message of a promotion: a subject people read, and Git trailers tools read. */
final class CommitMessage {

    static final String EVENT_ID = "Stagecoach-Event-Id";
    static final String RUN_ID = "Stagecoach-Run-Id";
    static final String APPROVED_BY = "Approved-By";
    static final String REASON = "Stagecoach-Reason";

    private CommitMessage() {
    }

    static String promotion(Deployment d) {
        return "Promote " + d.service() + " " + d.version() + " to " + d.environment() + "\n\n" + trailers(d);
    }

    private static String trailers(Deployment d) {
        var named = new LinkedHashMap<String, String>();
        var others = new TreeMap<String, String>();
        d.trailers().forEach((key, value) -> {
            switch (key) {
                case Deployment.EVENT_ID -> named.put(EVENT_ID, value);
                case Deployment.RUN_ID -> named.put(RUN_ID, value);
                case Deployment.APPROVED_BY -> named.put(APPROVED_BY, value);
                default -> others.put(key.startsWith("Stagecoach-") ? key : "Stagecoach-" + key, value);
            }
        });
        var all = new LinkedHashMap<String, String>();
        for (String key : new String[] {EVENT_ID, RUN_ID, APPROVED_BY}) {
            if (named.containsKey(key)) {
                all.put(key, named.get(key));
            }
        }
        all.putAll(others);
        if (d.reason() != null && !d.reason().isBlank()) {
            // a trailer is one line
            all.put(REASON, d.reason().strip().replaceAll("\\s+", " "));
        }
        var text = new StringBuilder();
        for (Map.Entry<String, String> trailer : all.entrySet()) {
            text.append(trailer.getKey()).append(": ").append(trailer.getValue()).append('\n');
        }
        return text.toString();
    }
}
