package io.stagecoach.ledger;

import io.stagecoach.events.EventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Where a service keeps the snapshot of its own ledger: a file only it writes, sealed with a key only it holds
 * ({@link SnapshotSeal}). The file is a header ({@link #MAGIC}), the seal of what follows, and the snapshot as
 * gzipped JSON. It is written whole to a temporary file beside it and moved into place, so a reader finds the last
 * snapshot or the one before, never half of one.
 *
 * <p>A file that cannot be read, or whose seal this key does not open — written by someone else, by the service
 * before its secret changed, or by a version that did not seal — is no snapshot: it is said in the log, counted in
 * {@link #refusals()}, and the feed replays the whole stream. Nothing in it is parsed before the seal is checked.
 */
public final class LedgerSnapshotFile {

    private static final Logger log = LoggerFactory.getLogger(LedgerSnapshotFile.class);

    /** The first bytes of a sealed snapshot file, with the format of the file (not of the snapshot in it). */
    static final byte[] MAGIC = "stagecoach-ledger-snapshot/2\n".getBytes(StandardCharsets.US_ASCII);
    /** A snapshot holds at most 200,000 ids and bounded maps (a few MB gzipped): a bigger file is not one. */
    static final long MAX_BYTES = 256L << 20;

    private final Path file;
    private final SnapshotSeal seal;
    private final AtomicLong refusals = new AtomicLong();

    public LedgerSnapshotFile(Path file, SnapshotSeal seal) {
        this.file = file.toAbsolutePath();
        this.seal = seal;
    }

    public Path path() {
        return file;
    }

    /** Snapshot files this reader found but did not take (unreadable, or not sealed with its key). */
    public long refusals() {
        return refusals.get();
    }

    /** The snapshot in the file; empty when there is none, or it is not this key's or cannot be read (said in the log). */
    public Optional<LedgerSnapshot> read() {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                return refuse("is larger than " + (MAX_BYTES >> 20) + " MB, which no snapshot is");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return refuse("cannot be read (" + e.getMessage() + ")");
        }
        int header = MAGIC.length + SnapshotSeal.LENGTH;
        if (bytes.length < header || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return refuse("is not a sealed snapshot");
        }
        byte[] content = Arrays.copyOfRange(bytes, header, bytes.length);
        if (!seal.opens(content, Arrays.copyOfRange(bytes, MAGIC.length, header))) {
            return refuse("is not sealed with " + seal + " (written by someone else, or before its secret changed)");
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(content))) {
            return Optional.of(EventCodec.mapper().readValue(in, LedgerSnapshot.class));
        } catch (IOException | JacksonException e) {
            return refuse("cannot be read (" + e.getMessage() + ")");
        }
    }

    private Optional<LedgerSnapshot> refuse(String why) {
        refusals.incrementAndGet();
        log.warn("ledger snapshot {} {}: the audit stream is replayed from its first record", file, why);
        return Optional.empty();
    }

    /** Replaces the file's snapshot with {@code snapshot}, sealed. */
    public void write(LedgerSnapshot snapshot) throws IOException {
        ByteArrayOutputStream content = new ByteArrayOutputStream(1 << 16);
        try (OutputStream out = new GZIPOutputStream(content, 1 << 16)) {
            EventCodec.mapper().writeValue(out, snapshot);
        } catch (JacksonException e) {
            throw new IOException("cannot write the ledger snapshot of " + snapshot.environment() + ": "
                    + e.getMessage(), e);
        }
        byte[] bytes = content.toByteArray();
        Path directory = file.getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                out.write(MAGIC);
                out.write(seal.seal(bytes));
                out.write(bytes);
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
