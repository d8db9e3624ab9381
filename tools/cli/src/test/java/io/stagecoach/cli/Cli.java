package io.stagecoach.cli;

import io.stagecoach.testing.TestBroker;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs the stagecoach command in-process, as a shell would, and keeps what it printed. */
final class Cli {

    private final Map<String, String> env;
    private final Path workingDirectory;

    Cli(Map<String, String> env, Path workingDirectory) {
        this.env = Map.copyOf(env);
        this.workingDirectory = workingDirectory;
    }

    /** Talking to the test broker, in the class's own prefixed vhosts. */
    static Cli against(TestBroker broker, Path workingDirectory) {
        Map<String, String> env = new HashMap<>();
        env.put("STAGECOACH_AMQP_URI", "amqp://" + broker.host() + ":" + broker.amqpPort());
        env.put("STAGECOACH_MANAGEMENT_URL", broker.managementUrl());
        env.put("STAGECOACH_MANAGEMENT_USER", broker.adminUser());
        env.put("STAGECOACH_MANAGEMENT_PASSWORD", broker.adminPassword());
        env.put("STAGECOACH_VHOST_PREFIX", broker.prefix());
        env.put("USER", "carol");
        return new Cli(env, workingDirectory);
    }

    /** The vhost prefix the command works in. */
    String prefix() {
        return env.get("STAGECOACH_VHOST_PREFIX");
    }

    Cli with(String variable, String value) {
        Map<String, String> changed = new HashMap<>(env);
        changed.put(variable, value);
        return new Cli(changed, workingDirectory);
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Stagecoach.execute(new CliContext(env, new PrintWriter(out, true), new PrintWriter(err, true),
                workingDirectory), args);
        return new Result(status, out.toString(), err.toString());
    }

    /** Starts a command that runs until stopped (--follow, watch); what it printed so far is readable meanwhile. */
    Running start(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int[] status = {-1};
        Thread thread = new Thread(() -> status[0] = Stagecoach.execute(new CliContext(env, new PrintWriter(out, true),
                new PrintWriter(err, true), workingDirectory), args), "stagecoach " + String.join(" ", args));
        thread.start();
        return new Running(thread, out, err, status);
    }

    record Running(Thread thread, StringWriter outWriter, StringWriter errWriter, int[] status) {
        String out() {
            synchronized (outWriter) {
                return outWriter.toString();
            }
        }

        /** Interrupts the command, as Ctrl-C would end it, and returns what it printed and its status. */
        Result stop() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
            return new Result(status[0], outWriter.toString(), errWriter.toString());
        }
    }

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- out\n" + out + "--- err\n" + err;
        }
    }
}
