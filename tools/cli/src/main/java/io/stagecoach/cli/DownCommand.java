package io.stagecoach.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code stagecoach down}: stops what {@code up} (or an interrupted demo) left running. */
@Command(name = "down", sortOptions = false,
        description = {"Stop the pipeline `stagecoach up` started (and one an interrupted demo left).", "",
                "Sends the process in <home>/run/pipeline.pid a TERM (it closes every service gracefully), a KILL",
                "after 30 s; pid files of processes that are gone are removed and reported.", ""},
        footer = {"", "Examples:",
                "  stagecoach down",
                "  stagecoach down --home /tmp/stagecoach",
                ExitCodes.SECTION})
final class DownCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Mixin
    LocalOptions local;

    @Override
    public Integer call() {
        CliContext context = root.context;
        int stopped = 0;
        for (Path home : List.of(local.home(context, null), local.home(context, DemoCommand.HOME))) {
            stopped += new PipelineProcess(home).stopAll(context.out());
        }
        context.out().println(stopped == 0 ? "Nothing was running." : "Stopped " + stopped + (stopped == 1 ? " process." : " processes."));
        return ExitCodes.OK;
    }
}
