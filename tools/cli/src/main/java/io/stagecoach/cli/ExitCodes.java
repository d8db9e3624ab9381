package io.stagecoach.cli;

/** The exit statuses a CI script can rely on; listed in every command's help. */
final class ExitCodes {

    static final int OK = 0;
    static final int PIPELINE = 1;
    static final int USAGE = 2;
    static final int BROKER = 3;
    /** For --wait: a newer release replaced this one on its way; nothing failed, it just goes no further. */
    static final int SUPERSEDED = 4;

    /** The help section every command shows. */
    static final String SECTION = """

            Exit status:
              0  done (for --wait: the release reached a manual gate or the end of the path)
              1  the pipeline said no or failed (blocked, refused, withdrawn, rolled back, unknown request, timed out)
              2  usage error: a missing or invalid argument (the message says which and how to fix it)
              3  RabbitMQ unreachable, or it refused the connection or the publish
              4  for --wait: superseded, a newer release replaced this one on its way (nothing failed)""";

    private ExitCodes() {
    }
}
