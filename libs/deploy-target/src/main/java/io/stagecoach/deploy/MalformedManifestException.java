package io.stagecoach.deploy;

/** A manifest (kustomization, values file) that cannot be edited safely; names the file and line. */
public final class MalformedManifestException extends PermanentTargetException {

    private final String path;
    private final int line;

    public MalformedManifestException(String path, int line, String problem) {
        super(path + (line > 0 ? ":" + line : "") + ": " + problem);
        this.path = path;
        this.line = line;
    }

    /** The file, relative to the repository root. */
    public String path() {
        return path;
    }

    /** The 1-based line of the problem, or 0 when it is about the whole file. */
    public int line() {
        return line;
    }
}
