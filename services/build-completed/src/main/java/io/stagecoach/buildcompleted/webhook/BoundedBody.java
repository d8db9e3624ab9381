package io.stagecoach.buildcompleted.webhook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Reads a request body up to a limit and not a byte further: a longer (or endless) body is never held whole. */
final class BoundedBody {

    private BoundedBody() {
    }

    /** The body, or empty as soon as it turned out longer than {@code limit} bytes (having read {@code limit + 1}). */
    static Optional<byte[]> read(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(limit, 16 * 1024));
        byte[] buffer = new byte[8 * 1024];
        int total = 0;
        int read;
        while ((read = in.read(buffer, 0, Math.min(buffer.length, limit + 1 - total))) > 0) {
            total += read;
            if (total > limit) {
                return Optional.empty();
            }
            body.write(buffer, 0, read);
        }
        return Optional.of(body.toByteArray());
    }
}
