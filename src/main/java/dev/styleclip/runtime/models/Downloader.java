package dev.styleclip.runtime.models;

import dev.styleclip.AppInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one URL into a {@code .partial} file with {@link HttpClient} (redirects followed). A dropped connection is
 * resumed with {@code Range: bytes=N-} (206 appends; a 200 restarts from zero); a server that stalls longer than the
 * idle timeout counts as dropped. Digests cover the whole file, the resumed part included. An HTML page served in place
 * of the file is refused and its bytes deleted. Cancelling leaves the {@code .partial} file for a later resume.
 * Checking the digest and moving the file into place is the caller's job ({@link ModelInstaller}).
 */
public final class Downloader {

    /** What was downloaded: the size and digests of the whole {@code .partial} file. */
    public record Result(Path file, long size, String sha256, byte[] extraDigest, long resumedFrom, int attempts) {
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    private final HttpClient client;
    private int maxRetries = 5;
    private Duration retryDelay = Duration.ofSeconds(2);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration connectTimeout = Duration.ofSeconds(30);
    /** The most a download of unknown size may bring: the model readers stop at 2 GiB, so nothing larger is of use. */
    private long maxUnknownSize = Integer.MAX_VALUE;
    private long progressIntervalNanos = TimeUnit.MILLISECONDS.toNanos(100);

    public Downloader() {
        this(HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build());
    }

    public Downloader(HttpClient client) {
        this.client = client;
    }

    /** How many times in a row an attempt may fail without bringing a single new byte before giving up. */
    public Downloader maxRetries(int n) {
        this.maxRetries = n;
        return this;
    }

    /** Pause before a retry (multiplied by the attempt number). */
    public Downloader retryDelay(Duration d) {
        this.retryDelay = d;
        return this;
    }

    /** A transfer that brings no byte for this long is dropped and resumed. */
    public Downloader idleTimeout(Duration d) {
        this.idleTimeout = d;
        return this;
    }

    /** Time allowed to get the response headers. */
    /** The cap on a download whose size neither the catalog nor the server states (default 2 GiB). */
    public Downloader maxUnknownSize(long bytes) {
        this.maxUnknownSize = bytes;
        return this;
    }

    public Downloader connectTimeout(Duration d) {
        this.connectTimeout = d;
        return this;
    }

    /**
     * Downloads {@code uri} into {@code partial}, resuming from its current length if it exists.
     *
     * @param name            what to call it in progress reports and messages
     * @param expectedSize    the size if known (for progress before the server says), else -1
     * @param extraAlgorithm  a second digest to compute over the whole file (e.g. "SHA-512"), or null
     * @param cancel          set to true to stop; the {@code .partial} file stays for a resume
     */
    public Result download(String name, URI uri, Path partial, long expectedSize, String extraAlgorithm,
                           DownloadListener listener, AtomicBoolean cancel) throws ModelsException {
        DownloadListener l = listener == null ? DownloadListener.NONE : listener;
        AtomicBoolean stop = cancel == null ? new AtomicBoolean() : cancel;
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "download-watchdog");
            t.setDaemon(true);
            return t;
        });
        try {
            int failures = 0;
            int attempts = 0;
            boolean rangeRefused = false;
            int restarts = 0;
            while (true) {
                if (stop.get()) throw cancelled(name, partial);
                attempts++;
                long before = size(partial);
                try {
                    Result r = attempt(name, uri, partial, expectedSize, extraAlgorithm, l, stop, watchdog, rangeRefused);
                    return new Result(r.file(), r.size(), r.sha256(), r.extraDigest(), r.resumedFrom(), attempts);
                } catch (RestartException e) {
                    if (++restarts > 3) throw new ModelsException("download of " + name + " failed: " + e.getMessage(), e);
                    l.onMessage(e.getMessage());
                    rangeRefused = true;
                    Files.deleteIfExists(partial);
                } catch (ModelsException e) {
                    throw e;
                } catch (IOException e) {
                    if (stop.get()) throw cancelled(name, partial);
                    long after = size(partial);
                    failures = after > before ? 1 : failures + 1;
                    String why = describe(e, uri);
                    // an unreachable host is not worth many tries; a dropped transfer is
                    if (failures > (isConnectFailure(e) ? Math.min(maxRetries, 2) : maxRetries)) {
                        throw new ModelsException("download of " + name + " failed after " + attempts + " attempts: "
                                + why + (after > 0 ? " (" + DownloadProgress.bytes(after) + " kept in "
                                + partial.getFileName() + "; fetch again to resume)" : ""), e);
                    }
                    l.onMessage((after > 0 ? "connection lost after " + DownloadProgress.bytes(after) + " (" + why + ")"
                            : why) + "; trying again in " + retryDelay.multipliedBy(failures).toMillis() + " ms");
                    sleep(retryDelay.multipliedBy(failures), stop, name, partial);
                }
            }
        } catch (ModelsException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelsException("download of " + name + " failed: " + describe(e, uri), e);
        } finally {
            watchdog.shutdownNow();
        }
    }

    private Result attempt(String name, URI uri, Path partial, long expectedSize, String extraAlgorithm,
                           DownloadListener l, AtomicBoolean stop, ScheduledExecutorService watchdog,
                           boolean noRange) throws IOException {
        long offset = noRange ? 0 : size(partial);
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                .timeout(connectTimeout)
                .header("User-Agent", AppInfo.NAME.replace(' ', '-') + "/" + AppInfo.version())
                .header("Accept-Encoding", "identity")
                .GET();
        if (offset > 0) rb.header("Range", "bytes=" + offset + "-");
        HttpResponse<InputStream> resp;
        try {
            resp = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        int status = resp.statusCode();
        HttpHeaders h = resp.headers();
        try (InputStream body = resp.body()) {
            long total;
            if (status == 206) {
                String cr = h.firstValue("Content-Range").orElse("");
                Matcher m = CONTENT_RANGE.matcher(cr);
                if (!m.find() || Long.parseLong(m.group(1)) != offset) {
                    throw new RestartException("server answered range " + (cr.isEmpty() ? "(none)" : cr)
                            + " to a resume from " + offset + "; restarting " + name + " from the beginning");
                }
                total = "*".equals(m.group(3)) ? -1 : Long.parseLong(m.group(3));
                l.onMessage("resuming " + name + " at " + DownloadProgress.bytes(offset));
            } else if (status == 200) {
                if (offset > 0) {
                    l.onMessage("server does not resume (200 to a range request); restarting " + name + " from the beginning");
                    offset = 0;
                }
                total = h.firstValueAsLong("Content-Length").orElse(-1);
            } else if (status == 416 && offset > 0) {
                // the .partial file is as long as (or longer than) the resource: check it as it is, or restart
                String cr = h.firstValue("Content-Range").orElse("");
                Matcher m = Pattern.compile("bytes\\s+\\*/(\\d+)").matcher(cr);
                if (m.find() && Long.parseLong(m.group(1)) == offset) {
                    return finish(name, partial, offset, offset, extraAlgorithm, l, 0, 0);
                }
                throw new RestartException("range " + offset + "- not satisfiable for " + name + "; restarting");
            } else {
                // a redirect reaching us is one the HTTP client stopped following: a loop, or a chain too long to trust
                String why = status == 404 ? "not found (HTTP 404)" : status == 401 || status == 403
                        ? "access refused (HTTP " + status + ")" : status >= 300 && status < 400
                        ? "too many redirects (HTTP " + status + ", a redirect loop?)" : "HTTP " + status;
                ModelsException e = new ModelsException("cannot download " + name + " from " + uri + ": " + why);
                if (status >= 500 || status == 429) throw new IOException(e.getMessage());
                throw e;
            }
            if (total < 0 && expectedSize > 0) total = expectedSize;
            String type = h.firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            if (offset == 0 && type.startsWith("text/html")) {
                Files.deleteIfExists(partial);
                throw new ModelsException("refused " + name + ": " + uri.getHost() + " sent an HTML page (Content-Type "
                        + type + "), not the file; the link may need a browser (sign-in, quota or confirmation page)");
            }
            return transfer(name, body, partial, offset, total, extraAlgorithm, l, stop, watchdog);
        }
    }

    private Result transfer(String name, InputStream body, Path partial, long offset, long total, String extraAlgorithm,
                            DownloadListener l, AtomicBoolean stop, ScheduledExecutorService watchdog) throws IOException {
        Files.createDirectories(partial.toAbsolutePath().getParent());
        MessageDigest sha = Hashes.digest("SHA-256");
        MessageDigest extra = extraAlgorithm == null ? null : Hashes.digest(extraAlgorithm);
        if (offset > 0) hashPrefix(partial, offset, sha, extra);
        AtomicLong lastByte = new AtomicLong(System.nanoTime());
        AtomicBoolean idle = new AtomicBoolean();
        // fired and finished change under one lock: the watchdog interrupts the reader only while the transfer runs, so
        // the reader, clearing its flag once finished, never carries a late interrupt into the retry's pause
        Object lock = new Object();
        boolean[] fired = {false};
        boolean[] finished = {false};
        Thread reader = Thread.currentThread();
        long idleNanos = idleTimeout.toNanos();
        ScheduledFuture<?> dog = watchdog.scheduleAtFixedRate(() -> {
            synchronized (lock) {
                if (fired[0] || finished[0]) return;
                boolean cancelled = stop.get();
                boolean stalled = !cancelled && System.nanoTime() - lastByte.get() > idleNanos;
                if (!cancelled && !stalled) return;
                idle.set(stalled);
                fired[0] = true;
                reader.interrupt();
            }
            try {
                body.close();
            } catch (IOException ignored) {
                // closing only to unblock the reader
            }
        }, 50, 50, TimeUnit.MILLISECONDS);
        long done = offset;
        long cap = total >= 0 ? total : maxUnknownSize;
        long start = System.nanoTime();
        long lastReport = 0;
        boolean checkedHead = offset > 0;
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(offset);
            ch.position(offset);
            byte[] buf = new byte[1 << 16];
            int headFill = 0;
            byte[] head = new byte[256];
            while (true) {
                if (stop.get()) throw cancelled(name, partial);
                int n;
                n = body.read(buf);
                if (n < 0) break;
                if (n == 0) continue;
                lastByte.set(System.nanoTime());
                if (!checkedHead) {
                    int c = Math.min(n, head.length - headFill);
                    System.arraycopy(buf, 0, head, headFill, c);
                    headFill += c;
                    if (headFill == head.length || n > c) {
                        checkedHead = true;
                        refuseHtml(name, head, headFill, partial, ch);
                    }
                }
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) ch.write(bb);
                sha.update(buf, 0, n);
                if (extra != null) extra.update(buf, 0, n);
                done += n;
                if (done > cap) {
                    // a body longer than announced, or endless: a broken or hostile server, not worth a retry
                    Files.deleteIfExists(partial);
                    throw new ModelsException("refused " + name + ": the server sent more than "
                            + (total >= 0 ? "the " + DownloadProgress.bytes(total) + " it announced"
                            : DownloadProgress.bytes(cap) + " without saying how much") + "; nothing was kept");
                }
                long now = System.nanoTime();
                if (now - lastReport >= progressIntervalNanos) {
                    lastReport = now;
                    l.onProgress(progress(name, done, total, offset, start, now, false));
                }
            }
            if (!checkedHead) refuseHtml(name, head, headFill, partial, ch);
        } catch (IOException e) {
            if (stop.get()) throw cancelled(name, partial);
            if (idle.get()) throw new IOException("no data for " + seconds(idleTimeout), e);
            throw e;
        } finally {
            dog.cancel(false);
            synchronized (lock) {
                finished[0] = true;
                if (fired[0]) Thread.interrupted(); // the watchdog's interrupt, delivered before this point, is spent here
            }
        }
        if (stop.get()) throw cancelled(name, partial);
        if (total >= 0 && done < total) {
            throw new IOException("connection closed after " + done + " of " + total + " bytes");
        }
        l.onProgress(progress(name, done, total < 0 ? done : total, offset, start, System.nanoTime(), true));
        return new Result(partial, done, Hashes.hex(sha.digest()), extra == null ? null : extra.digest(), offset, 1);
    }

    private Result finish(String name, Path partial, long size, long offset, String extraAlgorithm, DownloadListener l,
                          long start, long now) throws IOException {
        MessageDigest sha = Hashes.digest("SHA-256");
        MessageDigest extra = extraAlgorithm == null ? null : Hashes.digest(extraAlgorithm);
        hashPrefix(partial, size, sha, extra);
        l.onProgress(new DownloadProgress(name, size, size, 0, 0, offset, true));
        return new Result(partial, size, Hashes.hex(sha.digest()), extra == null ? null : extra.digest(), offset, 1);
    }

    private static void refuseHtml(String name, byte[] head, int n, Path partial, FileChannel ch) throws IOException {
        if (Hashes.looksLikeHtml(head, n)) {
            ch.close();
            Files.deleteIfExists(partial);
            throw new ModelsException("refused " + name + ": the server sent an HTML page instead of the file"
                    + " (a sign-in, quota or error page); nothing was kept");
        }
    }

    private static DownloadProgress progress(String name, long done, long total, long offset, long start, long now,
                                             boolean finished) {
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? (done - offset) / secs : 0;
        double eta = total > 0 && rate > 0 ? (total - done) / rate : finished ? 0 : -1;
        return new DownloadProgress(name, done, total, rate, eta, offset, finished);
    }

    private static void hashPrefix(Path file, long n, MessageDigest a, MessageDigest b) throws IOException {
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            long left = n;
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) throw new IOException(file + " is shorter than expected");
                a.update(buf, 0, r);
                if (b != null) b.update(buf, 0, r);
                left -= r;
            }
        }
    }

    private static long size(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static DownloadCancelledException cancelled(String name, Path partial) {
        long n = size(partial);
        return new DownloadCancelledException("download of " + name + " cancelled"
                + (n > 0 ? " (" + DownloadProgress.bytes(n) + " kept in " + partial.getFileName() + " to resume)" : ""));
    }

    private static void sleep(Duration d, AtomicBoolean stop, String name, Path partial) throws IOException {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            if (stop.get()) throw cancelled(name, partial);
            try {
                Thread.sleep(Math.max(1, Math.min(50, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }
    }

    private static boolean isConnectFailure(Throwable e) {
        return e instanceof java.net.ConnectException || e instanceof java.net.UnknownHostException
                || e.getCause() instanceof java.nio.channels.UnresolvedAddressException;
    }

    private static String describe(Throwable e, URI uri) {
        if (isConnectFailure(e)) {
            return "cannot connect to " + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                    + " (offline, blocked or wrong address)";
        }
        if (e instanceof java.net.http.HttpTimeoutException) return "no answer from " + uri.getHost() + " in time";
        if (e instanceof java.io.EOFException || "closed".equals(e.getMessage())) {
            return "the server closed the connection before the end of the file";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    /** The server's answer to a resume cannot be appended: start again from byte 0. */
    private static final class RestartException extends IOException {
        private static final long serialVersionUID = 1L;

        RestartException(String m) {
            super(m);
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
