package io.stagecoach.events;

/**
 * CI finished a build of a service; the run of this release starts here.
 *
 * @param release  the release that was built
 * @param buildUrl where the CI build can be seen, or null
 */
public record BuildCompleted(Release release, String buildUrl) implements EventData {

    public BuildCompleted(Release release) {
        this(release, null);
    }

    @Override
    public EventType eventType() {
        return EventType.BUILD_COMPLETED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
