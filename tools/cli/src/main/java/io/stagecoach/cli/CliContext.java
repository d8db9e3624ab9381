package io.stagecoach.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command runs with: its environment variables, where it prints, and the directory relative paths
 * start from. Tests run commands in-process with their own.
 */
record CliContext(Map<String, String> env, PrintWriter out, PrintWriter err, Path workingDirectory) {

    static CliContext system() {
        return new CliContext(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                Path.of("").toAbsolutePath());
    }

    /** A variable's value, or null when it is unset or blank. */
    String variable(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** A setting: the flag's value when given, else the variable's, else {@code fallback} (null for none). */
    String setting(String flag, String variable, String fallback) {
        if (flag != null) {
            return flag;
        }
        String value = variable(variable);
        return value != null ? value : fallback;
    }

    Path resolve(Path path) {
        return workingDirectory.resolve(path).normalize();
    }
}
