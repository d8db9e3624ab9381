package io.stagecoach.demoworkload;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import picocli.CommandLine;

/**
 * Stands in for a promoted application in tests and the demo: {@code GET /health} reports the version the
 * environment's overlay declares at the time of the request, so a promotion (a commit to the overlay) "deploys"
 * it without a cluster.
 */
public final class DemoWorkload implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    private DemoWorkload(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static void main(String[] args) {
        CommandLine commandLine = Settings.commandLine(System.getenv());
        Settings settings;
        try {
            settings = Settings.parse(commandLine, args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(commandLine.getUsageMessage());
            System.exit(2);
            return;
        }
        if (settings == null) {
            System.out.print(commandLine.getUsageMessage());
            return;
        }
        try {
            DemoWorkload workload = start(settings);
            Runtime.getRuntime().addShutdownHook(new Thread(workload::close, "demo-workload-shutdown"));
            System.out.println("demo-workload " + settings.service() + " (" + settings.environment()
                    + ") listening on port " + workload.port() + ", version from " + OverlaySource.of(settings)
                    .describe());
        } catch (IOException e) {
            System.err.println("cannot listen on port " + settings.port() + ": " + e.getMessage());
            System.exit(1);
        }
    }

    /** Starts a workload from {@code --name value} arguments (environment variables are not read). */
    public static DemoWorkload start(String... args) throws IOException {
        return start(Settings.parse(args, java.util.Map.of()));
    }

    static DemoWorkload start(Settings settings) throws IOException {
        OverlaySource overlay = OverlaySource.of(settings);
        HttpServer server = HttpServer.create(new InetSocketAddress(settings.port()), 0);
        ExecutorService executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "demo-workload-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange, settings, overlay);
            }
        });
        server.start();
        return new DemoWorkload(server, executor);
    }

    private static void handle(HttpExchange exchange, Settings settings, OverlaySource overlay) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals("/health")) {
            send(exchange, 404, "{\"error\":\"not found: only GET /health is served\"}");
            return;
        }
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().add("Allow", "GET");
            send(exchange, 405, "{\"error\":\"method not allowed\"}");
            return;
        }
        Health health = Health.of(settings, overlay);
        send(exchange, health.status(), health.json());
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The port it listens on (the chosen one when started with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
