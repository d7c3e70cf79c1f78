package dev.styleclip.runtime.models;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) for download tests. Paths:
 * {@code /file/N} serves resource N with Range support; {@code /drop/N} closes the first response after
 * {@link #dropAfter} bytes; {@code /norange/N} ignores Range (200 every time) and drops its first response;
 * {@code /slow/N} sends 1 KiB every 20 ms; {@code /redirect/N} answers 302 to {@code /file/N};
 * {@code /html/N} serves an HTML page as text/html; {@code /htmlbytes/N} serves one as octet-stream;
 * {@code /endless/N} sends N over and over without a length; {@code /stall/N} sends headers, then nothing for
 * {@link #stallMillis}; {@code /silent/N} does not even answer for as long; anything else is 404.
 */
public final class LoopbackServer implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    /** The Range header of every request, "" where none (for assertions). */
    public final List<String> ranges = new CopyOnWriteArrayList<>();
    /** Requests on 127.0.0.1 only; every request path (for assertions). */
    public final List<String> paths = new CopyOnWriteArrayList<>();
    public volatile int dropAfter = 3000;
    /** How long {@code /stall/} and {@code /silent/} keep the client waiting. */
    public volatile long stallMillis = 3000;

    public LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "loopback-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public LoopbackServer put(String name, byte[] content) {
        files.put(name, content);
        return this;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            paths.add(path);
            int hit = hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            String range = ex.getRequestHeaders().getFirst("Range");
            ranges.add(range == null ? "" : range);
            String[] parts = path.split("/", 3);
            byte[] data = parts.length == 3 ? files.get(parts[2]) : null;
            if (data == null) {
                byte[] msg = "not found".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain");
                ex.sendResponseHeaders(404, msg.length);
                ex.getResponseBody().write(msg);
                return;
            }
            String mode = parts[1];
            switch (mode) {
                case "redirect":
                    ex.getResponseHeaders().set("Location", "/file/" + parts[2]);
                    ex.sendResponseHeaders(302, -1);
                    return;
                case "loop": // redirects to itself for ever
                    ex.getResponseHeaders().set("Location", "/loop/" + parts[2]);
                    ex.sendResponseHeaders(302, -1);
                    return;
                case "liar": { // announces twice the file's length, sends the file, hangs up
                    ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                    ex.sendResponseHeaders(200, 2L * data.length);
                    ex.getResponseBody().write(data);
                    ex.getResponseBody().flush();
                    throw new IOException("hung up on purpose, " + data.length + " bytes short");
                }
                case "html":
                case "htmlbytes": {
                    byte[] page = ("<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head>"
                            + "<body>Google Drive can't scan this file for viruses.</body></html>").getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().set("Content-Type", mode.equals("html") ? "text/html; charset=utf-8"
                            : "application/octet-stream");
                    ex.sendResponseHeaders(200, page.length);
                    ex.getResponseBody().write(page);
                    return;
                }
                case "endless": { // no length, and the file over and over until the client hangs up
                    ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                    ex.sendResponseHeaders(200, 0);
                    OutputStream os = ex.getResponseBody();
                    for (long sent = 0; sent < 1L << 30; sent += data.length) os.write(data);
                    return;
                }
                case "stall": // headers, then nothing
                case "silent": { // not even headers
                    if (mode.equals("stall")) {
                        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                        ex.sendResponseHeaders(200, data.length);
                    }
                    try {
                        Thread.sleep(stallMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return;
                }
                default:
                    break;
            }
            long from = 0;
            boolean honourRange = !mode.equals("norange");
            if (range != null && honourRange) {
                Matcher m = RANGE.matcher(range);
                if (m.matches()) from = Long.parseLong(m.group(1));
            }
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.getResponseHeaders().set("Accept-Ranges", honourRange ? "bytes" : "none");
            if (from >= data.length && from > 0) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            int len = (int) (data.length - from);
            if (from > 0) {
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
                ex.sendResponseHeaders(206, len);
            } else {
                ex.sendResponseHeaders(200, len);
            }
            OutputStream os = ex.getResponseBody();
            boolean drop = (mode.equals("drop") || mode.equals("norange")) && hit == 1;
            if (drop) {
                int n = Math.min(dropAfter, len);
                os.write(data, (int) from, n);
                os.flush();
                // close the connection mid-body: the client sees fewer bytes than Content-Length
                throw new IOException("dropped on purpose after " + n + " bytes");
            }
            if (mode.equals("slow")) {
                for (int off = (int) from; off < data.length; off += 1024) {
                    os.write(data, off, Math.min(1024, data.length - off));
                    os.flush();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
                return;
            }
            os.write(data, (int) from, len);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
