package io.stagecoach.deploy;

/** An image reference split into repository, tag and digest ({@code host:5000/team/app:1.2@sha256:...}). */
record ImageReference(String repository, String tag, String digest) {

    static ImageReference parse(String reference) {
        int at = reference.indexOf('@');
        String digest = at < 0 ? null : reference.substring(at + 1);
        String name = at < 0 ? reference : reference.substring(0, at);
        int colon = name.lastIndexOf(':');
        // a colon before the last slash belongs to a registry port, not to a tag
        if (colon > name.lastIndexOf('/')) {
            return new ImageReference(name.substring(0, colon), name.substring(colon + 1), digest);
        }
        return new ImageReference(name, null, digest);
    }
}
