package io.stagecoach.deploy;

/**
 * A deployment that did not land because the environment no longer holds what its decision saw: another writer (a
 * promotion in another pod, a rollback, a person) changed it in between. Nothing was changed; retrying the same
 * deployment would overwrite the newer change, so it is permanent. The caller decides again from {@link #found()}
 * or refuses.
 */
public final class StaleDecisionException extends PermanentTargetException {

    private final Deployment deployment;
    private final RunningRelease found;

    public StaleDecisionException(Deployment deployment, RunningRelease found) {
        super(deployment.version() + " of " + deployment.service() + " not deployed to " + deployment.environment()
                + ": the decision saw " + deployment.expected() + " there, but it now holds "
                + (found == null || found.version() == null && found.digest() == null ? "nothing"
                : new Deployment.Expected(found.version(), found.digest()).toString())
                + (found != null && found.revision() != null ? " (revision " + found.revision() + ")" : "")
                + ", changed in between by another writer; nothing was changed");
        this.deployment = deployment;
        this.found = found;
    }

    public Deployment deployment() {
        return deployment;
    }

    /** What the environment holds now (its revision is where it was read), or null when it holds nothing. */
    public RunningRelease found() {
        return found;
    }
}
