package io.stagecoach.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of the management API that forwards requests one by one and, past a given number of changes
 * (PUT, POST, DELETE), cuts the connection. The first change past the cut either reaches the broker with its answer
 * lost (as when the client dies while the broker works) or is dropped unsent (as when it dies just before); every
 * later request is dropped unsent. The broker is left exactly as those changes made it, whatever the timing.
 */
final class CutManagementApi implements AutoCloseable {

    private static final List<String> FORWARDED_HEADERS = List.of("authorization", "content-type");

    private final URI target;
    private final int cutAfter;
    private final Cut cut;
    private final AtomicInteger changes = new AtomicInteger();
    private volatile boolean cutOff;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final HttpServer server;

    /** What becomes of the first change past the cut. */
    enum Cut {
        ANSWER_LOST, NOT_SENT
    }

    /** A proxy for {@code target} ({@code http://host:port}) that cuts after {@code cutAfter} changes. */
    CutManagementApi(String target, int cutAfter, Cut cut) throws IOException {
        this.target = URI.create(target.endsWith("/") ? target.substring(0, target.length() - 1) : target);
        this.cutAfter = cutAfter;
        this.cut = cut;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A proxy that never cuts: it only counts. */
    static CutManagementApi counting(String target) throws IOException {
        return new CutManagementApi(target, Integer.MAX_VALUE, Cut.ANSWER_LOST);
    }

    String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** Changes asked for, those cut included. */
    int changes() {
        return changes.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (cutOff) {
                // throwing makes the server close the connection without an answer
                throw new IOException("cut: " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                        + " not sent");
            }
            boolean change = !exchange.getRequestMethod().equals("GET");
            boolean lastOne = change && changes.incrementAndGet() > cutAfter;
            if (lastOne && cut == Cut.NOT_SENT) {
                cutOff = true;
                throw new IOException("cut: " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                        + " not sent");
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().getRawPath()
                            + (exchange.getRequestURI().getRawQuery() == null ? ""
                            : "?" + exchange.getRequestURI().getRawQuery())))
                    .timeout(Duration.ofSeconds(60))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : FORWARDED_HEADERS) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            if (lastOne) {
                cutOff = true;
                throw new IOException("cut: the answer to " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI() + " is lost");
            }
            response.headers().firstValue("content-type")
                    .ifPresent(type -> exchange.getResponseHeaders().set("content-type", type));
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
