package dev.styleclip.runtime.models;

import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The downloader against a real HTTP server on 127.0.0.1. */
class DownloaderTest {

    @TempDir
    Path tmp;
    LoopbackServer server;
    byte[] vgg;
    byte[] pickle;
    Downloader dl;

    @BeforeEach
    void start() throws Exception {
        vgg = Files.readAllBytes(Golden.set("lpips").resolve("models/real_v0.1/vgg.pth"));
        pickle = Files.readAllBytes(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"));
        server = new LoopbackServer().put("vgg.pth", vgg).put("sg3.pkl", pickle);
        dl = new Downloader().retryDelay(Duration.ofMillis(10)).maxRetries(3);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void downloadsWholeFileWithProgressAndDigest() throws Exception {
        Path part = tmp.resolve(".sg3.pkl.partial");
        List<DownloadProgress> seen = new CopyOnWriteArrayList<>();
        Downloader.Result r = dl.download("sg3", server.uri("/file/sg3.pkl"), part, -1, "SHA-512", seen::add, null);
        assertArrayEquals(pickle, Files.readAllBytes(part));
        assertEquals(pickle.length, r.size());
        assertEquals(Hashes.sha256(part), r.sha256());
        assertArrayEquals(Hashes.digestFile(part, "SHA-512"), r.extraDigest());
        DownloadProgress last = seen.get(seen.size() - 1);
        assertTrue(last.done());
        assertEquals(pickle.length, last.bytes());
        assertEquals(pickle.length, last.total());
        assertEquals(1.0, last.fraction());
    }

    @Test
    void followsRedirects() throws Exception {
        Path part = tmp.resolve("x.partial");
        dl.download("vgg", server.uri("/redirect/vgg.pth"), part, -1, null, null, null);
        assertArrayEquals(vgg, Files.readAllBytes(part));
        assertEquals(1, server.hits("/file/vgg.pth"));
    }

    @Test
    void resumesWithRangeAfterADroppedConnection() throws Exception {
        server.dropAfter = 3000;
        Path part = tmp.resolve("vgg.partial");
        List<String> messages = new CopyOnWriteArrayList<>();
        DownloadListener l = new DownloadListener() {
            @Override
            public void onProgress(DownloadProgress p) {
            }

            @Override
            public void onMessage(String m) {
                messages.add(m);
            }
        };
        Downloader.Result r = dl.download("vgg", server.uri("/drop/vgg.pth"), part, -1, null, l, null);
        assertArrayEquals(vgg, Files.readAllBytes(part));
        assertEquals(2, server.hits("/drop/vgg.pth"));
        assertEquals("", server.ranges.get(0));
        assertEquals("bytes=3000-", server.ranges.get(1));
        assertEquals(3000, r.resumedFrom());
        assertEquals(2, r.attempts());
        assertEquals(Hashes.sha256(part), r.sha256(), "the digest covers the resumed part too");
        assertTrue(messages.stream().anyMatch(m -> m.contains("connection lost")), messages.toString());
    }

    @Test
    void restartsFromZeroWhenTheServerIgnoresRange() throws Exception {
        server.dropAfter = 2000;
        Path part = tmp.resolve("vgg.partial");
        Downloader.Result r = dl.download("vgg", server.uri("/norange/vgg.pth"), part, -1, null, null, null);
        assertArrayEquals(vgg, Files.readAllBytes(part));
        assertEquals("bytes=2000-", server.ranges.get(1), "it asked to resume");
        assertEquals(0, r.resumedFrom(), "the server answered 200, so the file was restarted");
        assertEquals(Hashes.sha256(part), r.sha256());
    }

    @Test
    void resumesAnExistingPartialFile() throws Exception {
        Path part = tmp.resolve("sg3.partial");
        Files.write(part, java.util.Arrays.copyOf(pickle, 100_000));
        Downloader.Result r = dl.download("sg3", server.uri("/file/sg3.pkl"), part, -1, null, null, null);
        assertEquals("bytes=100000-", server.ranges.get(0));
        assertEquals(100_000, r.resumedFrom());
        assertArrayEquals(pickle, Files.readAllBytes(part));
        assertEquals(Hashes.sha256(part), r.sha256());
    }

    @Test
    void aCompletePartialFileIsAcceptedOn416() throws Exception {
        Path part = tmp.resolve("vgg.partial");
        Files.write(part, vgg);
        Downloader.Result r = dl.download("vgg", server.uri("/file/vgg.pth"), part, -1, null, null, null);
        assertEquals(vgg.length, r.size());
        assertEquals(Hashes.sha256(part), r.sha256());
    }

    @Test
    void refusesAnHtmlPageByContentTypeAndByBytes() {
        for (String path : new String[]{"/html/vgg.pth", "/htmlbytes/vgg.pth"}) {
            Path part = tmp.resolve("h.partial");
            ModelsException e = assertThrows(ModelsException.class,
                    () -> dl.download("vgg", server.uri(path), part, -1, null, null, null));
            assertTrue(e.getMessage().contains("HTML page"), e.getMessage());
            assertFalse(Files.exists(part), "nothing half-written is left");
        }
    }

    @Test
    void notFoundIsAClearErrorAndWritesNothing() throws Exception {
        Path part = tmp.resolve("n.partial");
        ModelsException e = assertThrows(ModelsException.class,
                () -> dl.download("nothing", server.uri("/file/nothing.pth"), part, -1, null, null, null));
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        assertFalse(Files.exists(part));
        try (var s = Files.list(tmp)) {
            assertEquals(0, s.count());
        }
        assertEquals(1, server.hits("/file/nothing.pth"), "a 404 is not retried");
    }

    @Test
    void cancelKeepsAResumablePartial() throws Exception {
        Path part = tmp.resolve("slow.partial");
        AtomicBoolean cancel = new AtomicBoolean();
        DownloadListener l = p -> {
            if (p.bytes() >= 20_000) cancel.set(true);
        };
        assertThrows(DownloadCancelledException.class,
                () -> dl.download("sg3", server.uri("/slow/sg3.pkl"), part, -1, null, l, cancel));
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept < pickle.length, "kept " + kept);
        // resume from a fast path
        Downloader.Result r = dl.download("sg3", server.uri("/file/sg3.pkl"), part, -1, null, null, null);
        assertEquals(kept, r.resumedFrom());
        assertArrayEquals(pickle, Files.readAllBytes(part));
    }

    @Test
    void givesUpAfterRepeatedFailuresWithoutProgress() {
        // nothing listens on port 1 of the loopback interface: every attempt fails to connect
        Downloader d = new Downloader().retryDelay(Duration.ofMillis(1)).maxRetries(2);
        Path part = tmp.resolve("z.partial");
        ModelsException e = assertThrows(ModelsException.class,
                () -> d.download("z", java.net.URI.create("http://127.0.0.1:1/none"), part, -1, null, null, null));
        assertTrue(e.getMessage().contains("failed after 3 attempts: cannot connect to 127.0.0.1:1"), e.getMessage());
        assertFalse(Files.exists(part));
    }

    /** A server that never stops sending is cut off at the catalog's size, or at the cap when no size is known. */
    @Test
    void anEndlessBodyIsCutOffAndNothingKept() {
        Path part = tmp.resolve("e.partial");
        ModelsException e = assertThrows(ModelsException.class,
                () -> dl.download("e", server.uri("/endless/sg3.pkl"), part, pickle.length, null, null, null));
        assertTrue(e.getMessage().contains("sent more than the " + DownloadProgress.bytes(pickle.length) + " it announced"),
                e.getMessage());
        assertFalse(Files.exists(part));
        Downloader capped = new Downloader().retryDelay(Duration.ofMillis(10)).maxRetries(3).maxUnknownSize(1 << 20);
        e = assertThrows(ModelsException.class,
                () -> capped.download("e", server.uri("/endless/sg3.pkl"), part, -1, null, null, null));
        assertTrue(e.getMessage().contains("sent more than 1.00 MiB without saying how much"), e.getMessage());
        assertFalse(Files.exists(part));
    }

    /** A server that answers and then sends nothing, or never answers at all, ends in one message, not a hang. */
    @Test
    void aStalledOrSilentServerTimesOut() {
        server.stallMillis = 5000;
        Downloader impatient = new Downloader().retryDelay(Duration.ofMillis(10)).maxRetries(1)
                .idleTimeout(Duration.ofMillis(300)).connectTimeout(Duration.ofMillis(300));
        Path part = tmp.resolve("s.partial");
        long t0 = System.nanoTime();
        ModelsException e = assertThrows(ModelsException.class,
                () -> impatient.download("s", server.uri("/stall/sg3.pkl"), part, -1, null, null, null));
        assertTrue(e.getMessage().contains("failed after 2 attempts: no data for 0.3 s"), e.getMessage());
        e = assertThrows(ModelsException.class,
                () -> impatient.download("s", server.uri("/silent/sg3.pkl"), part, -1, null, null, null));
        assertTrue(e.getMessage().contains("no answer from 127.0.0.1 in time"), e.getMessage());
        // four attempts of 0.3 s each, not the server's 5 s per request
        assertTrue(System.nanoTime() - t0 < 4_500_000_000L, "gave up in time");
    }

    /**
     * A server that redirects to itself, or announces more bytes than it sends and hangs up: one message each, no
     * partial kept (the short body is resumable in principle, so it is retried until the retries run out).
     */
    @Test
    void aRedirectLoopOrALyingLengthEndsInOneMessage() {
        Downloader d = new Downloader().retryDelay(Duration.ofMillis(1)).maxRetries(1);
        Path part = tmp.resolve("l.partial");
        ModelsException e = assertThrows(ModelsException.class,
                () -> d.download("l", server.uri("/loop/sg3.pkl"), part, -1, null, null, null));
        assertTrue(e.getMessage().contains("redirect"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        assertFalse(Files.exists(part));
        e = assertThrows(ModelsException.class,
                () -> d.download("l", server.uri("/liar/sg3.pkl"), part, -1, null, null, null));
        assertFalse(e.getMessage().contains("Exception") || e.getMessage().contains("\n"), e.getMessage());
        // attempts that got bytes do not count against the retries, so how many there were depends on timing
        assertTrue(e.getMessage().matches("download of l failed after \\d+ attempts: the server closed the connection"
                + " before the end of the file.*"), e.getMessage());
    }

    @Test
    void progressFormatting() {
        assertEquals("7.12 KiB", DownloadProgress.bytes(7289));
        assertEquals("528 MiB", DownloadProgress.bytes(553433881L));
        assertEquals("1:05", DownloadProgress.duration(65));
        assertEquals("1:00:00", DownloadProgress.duration(3600));
        assertEquals("?", DownloadProgress.duration(-1));
        assertTrue(Hashes.looksLikeHtml("\n  <!doctype html>".getBytes(), 17));
        assertTrue(Hashes.looksLikeHtml("<HTML>".getBytes(), 6));
        assertFalse(Hashes.looksLikeHtml(vgg, 64));
    }
}
