package io.stagecoach.ledger;

import io.stagecoach.events.EventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Where a service keeps the snapshot of its own ledger: a file only it writes (gzipped JSON). It is written whole to
 * a temporary file beside it and moved into place, so a reader finds the last snapshot or the one before, never half
 * of one. A file that cannot be read is no snapshot: the feed then replays the whole stream.
 */
public final class LedgerSnapshotFile {

    private static final Logger log = LoggerFactory.getLogger(LedgerSnapshotFile.class);

    private final Path file;

    public LedgerSnapshotFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    public Path path() {
        return file;
    }

    /** The snapshot in the file; empty when there is none or it cannot be read (said in the log). */
    public Optional<LedgerSnapshot> read() {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return Optional.of(EventCodec.mapper().readValue(in, LedgerSnapshot.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | JacksonException e) {
            log.warn("ledger snapshot {} cannot be read ({}): the audit stream is replayed from its first record",
                    file, e.getMessage());
            return Optional.empty();
        }
    }

    /** Replaces the file's snapshot with {@code snapshot}. */
    public void write(LedgerSnapshot snapshot) throws IOException {
        Path directory = file.getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(temporary), 1 << 16)) {
                EventCodec.mapper().writeValue(out, snapshot);
            } catch (JacksonException e) {
                throw new IOException("cannot write the ledger snapshot of " + snapshot.environment() + ": "
                        + e.getMessage(), e);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
