package io.stagecoach.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "down")
final class DownCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;
    @Override
    public Integer call() {
        throw CliException.usage("not yet");
    }
}
