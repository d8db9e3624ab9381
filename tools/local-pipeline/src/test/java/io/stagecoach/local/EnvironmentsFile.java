package io.stagecoach.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import io.stagecoach.platform.environments.Environments;

/** The environments file a test's local pipeline runs with. */
final class EnvironmentsFile {

    private EnvironmentsFile() {
    }

    /**
     * The default environments file with {@code services} as the promoted services (each test promotes a service
     * of its own, so the tests share the pipeline without sharing state) and prod's approvals expiring after
     * {@code prodApprovalTtl}. Vhosts, gates and approvers are the default ones, as provisioned.
     */
    static Path write(Path directory, List<String> services, String prodApprovalTtl) throws IOException {
        String text;
        try (InputStream in = Environments.class.getResourceAsStream(Environments.DEFAULT_RESOURCE)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String defaults = "services:\n  - knative-lambda-builder\n";
        if (!text.contains(defaults)) {
            throw new IllegalStateException("the default environments file no longer lists its services as "
                    + defaults);
        }
        String ttl = "    approval-ttl: 24h\n";
        if (!text.contains(ttl)) {
            throw new IllegalStateException("the default environments file no longer has prod's " + ttl.strip());
        }
        String ours = "services:\n" + services.stream().map(s -> "  - " + s + "\n").collect(Collectors.joining());
        return Files.writeString(directory.resolve("environments.yaml"), text.replace(defaults, ours)
                .replace(ttl, "    approval-ttl: " + prodApprovalTtl + "\n"));
    }
}
