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

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- out\n" + out + "--- err\n" + err;
        }
    }
}
