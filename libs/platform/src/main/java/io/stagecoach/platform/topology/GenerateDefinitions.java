package io.stagecoach.platform.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.environments.InvalidEnvironmentsException;

/**
 * Writes the broker definitions of an environments file.
 * Usage: {@code GenerateDefinitions [environments.yaml [definitions.json]]}; without arguments it plans
 * the default environments and prints them. Regenerate the committed file with
 * {@code ./mvnw -q -pl libs/platform -am process-classes -Pgenerate-definitions}.
 */
public final class GenerateDefinitions {

    private GenerateDefinitions() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 2 || (args.length > 0 && args[0].startsWith("-"))) {
            System.err.println("usage: GenerateDefinitions [environments.yaml [definitions.json]]");
            System.exit(2);
        }
        try {
            Environments environments = args.length > 0 ? Environments.load(Path.of(args[0])) : Environments.loadDefault();
            String json = BrokerDefinitions.plan(environments).toJson();
            if (args.length == 2) {
                Path target = Path.of(args[1]);
                if (target.getParent() != null) {
                    Files.createDirectories(target.getParent());
                }
                Files.writeString(target, json, StandardCharsets.UTF_8);
                System.out.println("Wrote the broker definitions of " + environments + " to " + target);
            } else {
                System.out.print(json);
            }
        } catch (InvalidEnvironmentsException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
