package io.stagecoach.cli;

import picocli.CommandLine.Option;

/** {@code -h/--help} for every command; not picocli's standard mixin, whose {@code --version} clashes with build's. */
final class HelpOption {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help, with examples, and exit")
    boolean help;
}
