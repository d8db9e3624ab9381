package io.stagecoach.platform.environments;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How a release may enter an environment. */
public enum Gate {

    /** Entered when the previous environment verified the release (the first one: straight from CI). */
    AUTO("auto"),
    /** Entered after enough approvers said yes. */
    MANUAL("manual");

    private final String id;

    Gate(String id) {
        this.id = id;
    }

    /** The word used in {@code environments.yaml}. */
    public String id() {
        return id;
    }

    public static Optional<Gate> fromId(String id) {
        return Arrays.stream(values()).filter(g -> g.id.equals(id.toLowerCase(Locale.ROOT))).findFirst();
    }
}
