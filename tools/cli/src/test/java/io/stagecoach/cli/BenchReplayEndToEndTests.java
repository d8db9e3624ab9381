package io.stagecoach.cli;

import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stagecoach bench replay} on the real broker, small: every record it publishes counts, the restart from the
 * snapshot reads only the tail and ends with the ledger of the feed that read everything, and the throw-away vhost
 * is gone afterwards. Nothing here depends on how fast it is.
 */
@RealBroker
class BenchReplayEndToEndTests {

    @Test
    void replaysEveryRecordThenRestartsFromTheSnapshotToTheSameLedgerAndCleansUp(TestBroker broker,
            @TempDir Path directory) {
        Cli.Result result = Cli.against(broker, directory)
                .run("bench", "replay", "--records", "400", "--services", "3", "--tail", "60");
        System.out.println("[bench replay]\n" + result.out() + result.err());

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out())
                .containsPattern("\\[\\d+:\\d\\d\\] published 400/400 \\(\\d+ records/s\\)")
                .containsSubsequence("Replay of 400 records (3 services)",
                        "records     400 (applied 400, refused 0, not events 0; last offset ", "seconds     ",
                        "records/s   ",
                        "heap used   ",
                        "Restart from the snapshot at offset ", " with 60 records after it:",
                        "records     60 read after the snapshot (up to offset ", "seconds     ",
                        "same ledger as the feed that read every record: yes");
        Matcher vhost = Pattern.compile("Creating vhost (\\S+) ").matcher(result.out());
        assertThat(vhost.find()).isTrue();
        assertThat(vhost.group(1)).startsWith(broker.prefix() + "-bench-replay-");
        assertThat(broker.management().get("/api/vhosts/" + ManagementApi.encode(vhost.group(1)))).isEmpty();
        assertThat(broker.management().get("/api/users/" + ManagementApi.encode(vhost.group(1) + "-promotion")))
                .isEmpty();
    }
}
