package dev.meshwave.hostile;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A pull-request API on 127.0.0.1 that answers every request with one status and body, or trickles
 * the body a byte at a time and never finishes (a server that keeps a run waiting). The JDK's own
 * server: a case needs nothing WireMock's stubs do, and this starts in milliseconds.
 */
final class ApiStub implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "hostile-api-stub");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    ApiStub(int status, String body, boolean trickle) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", exchange -> answer(exchange, status, body.getBytes(StandardCharsets.UTF_8), trickle));
        server.start();
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange, int status, byte[] body, boolean trickle) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (!trickle) {
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            return;
        }
        exchange.sendResponseHeaders(status, 0); // chunked: the end never comes
        OutputStream out = exchange.getResponseBody();
        try {
            for (int i = 0; !closed; i++) {
                out.write(body.length == 0 ? ' ' : body[i % body.length]);
                out.flush();
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        threads.shutdownNow();
    }
}
