package io.stagecoach.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of the broker that a test can blackhole: while it does, no byte goes through in
 * either direction, and no socket is closed; the endpoints see silence, as behind a failed router, and only their
 * heartbeats tell them. New connections are accepted and held the same way. When the blackhole ends, what was held
 * goes through, and whatever an endpoint closed meanwhile closes on the other side.
 */
final class BlackholeProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress broker;
    private final ExecutorService threads;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object forwarding = new Object();
    private boolean blackholed;

    private BlackholeProxy(ServerSocket server, InetSocketAddress broker) {
        this.server = server;
        this.broker = broker;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "blackhole-proxy-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        threads.execute(this::accept);
    }

    /** A proxy to {@code host}:{@code port} on a free port of 127.0.0.1. */
    static BlackholeProxy start(String host, int port) throws IOException {
        ServerSocket server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        return new BlackholeProxy(server, new InetSocketAddress(host, port));
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** From now on nothing goes through, in either direction, until {@link #resume}. */
    void blackhole() {
        synchronized (forwarding) {
            blackholed = true;
        }
    }

    void resume() {
        synchronized (forwarding) {
            blackholed = false;
            forwarding.notifyAll();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                Socket upstream = new Socket();
                sockets.add(client);
                sockets.add(upstream);
                threads.execute(() -> {
                    try {
                        awaitForwarding();
                        upstream.connect(broker, 10_000);
                    } catch (IOException | InterruptedException e) {
                        close(client, upstream);
                        return;
                    }
                    threads.execute(() -> pump(upstream, client));
                    pump(client, upstream);
                });
            } catch (IOException e) {
                // closed
            }
        }
    }

    /** Copies {@code from} to {@code to}, holding what it read while blackholed; closes both when either ends. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int read; (read = in.read(buffer)) >= 0; ) {
                awaitForwarding();
                out.write(buffer, 0, read);
                out.flush();
            }
            awaitForwarding();
        } catch (IOException | InterruptedException e) {
            // one side went away: so does the other
        } finally {
            close(from, to);
        }
    }

    private void awaitForwarding() throws InterruptedException {
        synchronized (forwarding) {
            while (blackholed) {
                forwarding.wait();
            }
        }
    }

    private void close(Socket... pair) {
        for (Socket socket : pair) {
            try {
                socket.close();
            } catch (IOException e) {
                // closed already
            }
            sockets.remove(socket);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closed already
        }
        resume();
        sockets.forEach(this::close);
        threads.shutdownNow();
    }
}
