package dev.styleclip.runtime.models;

import dev.styleclip.io.Format;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.ModelFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Installs catalog files into a models folder: downloads ({@link #fetch}), imports of files the user downloaded by hand
 * ({@link #importFile}) and checks of what is installed ({@link #verify}). A file reaches its place only after its bytes
 * passed every check (not an HTML page, size, sha256 / prefix / npm integrity or the hash recorded earlier, format sniffed
 * by {@link ModelFiles#detect}), by an atomic move; a failed check deletes the candidate. Each installed file is recorded
 * in {@code .verified.json}.
 */
public final class ModelInstaller {

    /** Outcome of checking one installed entry. */
    public enum State { OK, RECORDED, NOT_INSTALLED, MISMATCH, BAD_FORMAT }

    /** One line of {@link #verify}. */
    public record Check(ModelEntry entry, State state, String message) {
        public boolean failed() {
            return state == State.MISMATCH || state == State.BAD_FORMAT;
        }
    }

    private final Path dir;
    private final Downloader downloader;
    private final VerifiedStore verified;

    public ModelInstaller(Path dir) {
        this(dir, new Downloader());
    }

    public ModelInstaller(Path dir, Downloader downloader) {
        this.dir = dir.toAbsolutePath();
        this.downloader = downloader;
        this.verified = new VerifiedStore(this.dir);
    }

    public Path dir() {
        return dir;
    }

    public VerifiedStore verified() {
        return verified;
    }

    /** Where an entry is installed (a file, or a folder for archives). */
    public Path target(ModelEntry e) {
        return dir.resolve(e.file());
    }

    /** Whether an entry is installed (for archives: its marker file is there). */
    public boolean installed(ModelEntry e) {
        Path t = target(e);
        return e.isArchive() ? Files.isRegularFile(t.resolve(e.marker() == null ? "" : e.marker()))
                : Files.isRegularFile(t);
    }

    /** The resumable download file of an entry, hidden beside its target (so the final move is atomic). */
    public Path partial(ModelEntry e) {
        Path t = target(e);
        return t.resolveSibling("." + t.getFileName() + (e.isArchive() ? ".tgz" : "") + ".partial");
    }

    /**
     * Downloads an entry, checks it and moves it into place. An existing {@code .partial} is resumed.
     * @return the installed file (or folder)
     */
    public Path fetch(ModelEntry e, DownloadListener listener, AtomicBoolean cancel) throws ModelsException {
        if (e.manual() || e.url() == null) {
            throw new ModelsException(e.name() + " cannot be downloaded by a script (its host blocks it): open "
                    + e.page() + " in a browser, download " + e.fileName() + ", then import it: ./styleclip models import FILE --as "
                    + e.name());
        }
        Path partial = partial(e); // its folder is created once the server sends the file
        String extra = e.integrity() != null ? Hashes.integrityAlgorithm(e.integrity()) : null;
        URI uri;
        try {
            uri = URI.create(e.url());
        } catch (IllegalArgumentException ex) {
            throw new ModelsException("bad URL for " + e.name() + ": " + e.url());
        }
        Downloader.Result r = downloader.download(e.name(), uri, partial, e.size() == null ? -1 : e.size(), extra,
                listener, cancel);
        return install(e, partial, r.size(), r.sha256(), r.extraDigest(), e.url(), true);
    }

    /**
     * Imports a file the user downloaded by hand: the same checks as a download, then an atomic move into place.
     * @param keepSource copy instead of move (the source file stays)
     */
    public Path importFile(Path source, ModelEntry e, boolean keepSource) throws ModelsException {
        if (!Files.isRegularFile(source)) throw new ModelsException("no such file: " + source);
        Path partial = partial(e);
        String sha;
        byte[] extra;
        long size;
        try {
            Files.createDirectories(partial.getParent());
            if (Hashes.looksLikeHtml(source)) {
                throw new ModelsException("refused " + source.getFileName() + ": it is an HTML page, not " + e.fileName()
                        + " (the browser saved the download page; on Google Drive confirm \"Download anyway\" first)");
            }
            MessageDigest md = Hashes.digest("SHA-256");
            MessageDigest xd = e.integrity() != null ? Hashes.digest(Hashes.integrityAlgorithm(e.integrity())) : null;
            try (InputStream in = Files.newInputStream(source); OutputStream out = Files.newOutputStream(partial)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                    if (xd != null) xd.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            sha = Hashes.hex(md.digest());
            extra = xd == null ? null : xd.digest();
            size = Files.size(partial);
        } catch (ModelsException ex) {
            throw ex;
        } catch (IOException ex) {
            deleteQuietly(partial);
            throw new ModelsException("cannot import " + source + ": " + ex.getMessage(), ex);
        }
        Path installed = install(e, partial, size, sha, extra, "import:" + source.getFileName(), false);
        if (!keepSource) {
            try {
                Files.deleteIfExists(source);
            } catch (IOException ex) {
                // installed all the same; the source stays
            }
        }
        return installed;
    }

    private Path install(ModelEntry e, Path partial, long size, String sha, byte[] extra, String source,
                         boolean downloaded) throws ModelsException {
        try {
            check(e, partial, size, sha, extra);
        } catch (ModelsException ex) {
            deleteQuietly(partial);
            throw ex;
        }
        try {
            Path target = target(e);
            if (e.isArchive()) {
                Map<String, String> files = unpack(e, partial, target);
                verified.put(e.file(), sha, size, source, e.integrity() != null, files);
                Files.deleteIfExists(partial);
            } else {
                moveAtomically(partial, target);
                verified.put(e.file(), sha, size, source, e.sha256() != null, null);
            }
            return target;
        } catch (ModelsException ex) {
            deleteQuietly(partial);
            throw ex;
        } catch (IOException ex) {
            deleteQuietly(partial);
            throw new ModelsException("cannot install " + e.name() + " into " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /** Every check of a complete candidate file; throws with a message saying which failed. */
    private void check(ModelEntry e, Path file, long size, String sha, byte[] extra) throws ModelsException {
        String what = e.name() + " (" + e.fileName() + ")";
        try {
            if (Hashes.looksLikeHtml(file)) {
                throw new ModelsException("refused " + what + ": it is an HTML page, not the model file; nothing was kept");
            }
        } catch (ModelsException ex) {
            throw ex;
        } catch (IOException ex) {
            throw new ModelsException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
        if (e.size() != null && e.size() != size) {
            throw new ModelsException("refused " + what + ": " + size + " bytes, expected " + e.size() + "; nothing was installed");
        }
        if (e.sha256() != null && !e.sha256().equals(sha)) {
            throw new ModelsException("refused " + what + ": sha256 " + sha + " does not match the published "
                    + e.sha256() + "; nothing was installed");
        }
        if (e.sha256Prefix() != null && !sha.startsWith(e.sha256Prefix())) {
            throw new ModelsException("refused " + what + ": sha256 " + sha + " does not start with the published "
                    + e.sha256Prefix() + "; nothing was installed");
        }
        if (e.integrity() != null) {
            String got = Hashes.integrity(e.integrity().substring(0, e.integrity().indexOf('-')), extra);
            if (!constantEquals(got, e.integrity())) {
                throw new ModelsException("refused " + what + ": integrity " + got + " does not match the published "
                        + e.integrity() + "; nothing was installed");
            }
        }
        if (e.sha256() == null && e.sha256Prefix() == null && e.integrity() == null) {
            try {
                var rec = verified.get(e.file());
                if (rec.isPresent() && rec.get().sha256() != null && !rec.get().sha256().equals(sha)) {
                    throw new ModelsException("refused " + what + ": sha256 " + sha + " differs from "
                            + rec.get().sha256() + " recorded on its first verified install (" + rec.get().verified()
                            + "); nothing was installed. If the publisher changed the file, remove its entry from "
                            + verified.path() + " and try again");
                }
            } catch (ModelsException ex) {
                throw ex;
            } catch (IOException ex) {
                throw new ModelsException(ex.getMessage(), ex);
            }
        }
        if (e.isArchive()) {
            try {
                if (!Hashes.isGzip(file)) throw new ModelsException("refused " + what + ": not a gzip archive; nothing was installed");
            } catch (ModelsException ex) {
                throw ex;
            } catch (IOException ex) {
                throw new ModelsException("cannot read " + file + ": " + ex.getMessage(), ex);
            }
        } else {
            checkFormat(e, file, what);
        }
    }

    private static void checkFormat(ModelEntry e, Path file, String what) throws ModelsException {
        if (e.formats().isEmpty()) return;
        Format f;
        try {
            f = ModelFiles.detect(file);
        } catch (ModelFileException ex) {
            throw new ModelsException("refused " + what + ": not a model file this app reads (expected "
                    + String.join(" or ", e.formats()) + "); nothing was installed");
        }
        String id = f == Format.STYLEGAN_PICKLE && isLegacyTorch(file) ? Format.TORCH_LEGACY.id() : f.id();
        if (!e.formats().contains(id)) {
            throw new ModelsException("refused " + what + ": it is a " + id + " file, expected "
                    + String.join(" or ", e.formats()) + "; nothing was installed");
        }
        // the header is not enough: the whole file goes through the allow-list reader before it may land, so a hostile
        // or truncated file is refused here and not on first use (what is installed is trusted to open)
        try {
            Checkpoint cp = ModelFiles.open(file);
            for (ContentCheck c : CONTENT_CHECKS) c.check(e, cp);
        } catch (ModelFileException ex) {
            throw new ModelsException("refused " + what + ": " + ex.problem() + "; nothing was installed");
        } catch (RuntimeException ex) {
            // a network that refuses to be built from what the file holds (parts that do not fit each other)
            throw new ModelsException("refused " + what + ": it does not build as the " + e.role().label() + " ("
                    + ex.getMessage() + "); nothing was installed");
        }
    }

    /**
     * The networks' own checks of a file's content (generators: init kwargs in range, weights of those shapes; the other
     * roles build their network from the file and release it). Those builds use the engine, so installing runs on the
     * thread that owns it: the CLI's main thread ({@code models import/fetch} run no compute thread).
     */
    private static final List<ContentCheck> CONTENT_CHECKS = ServiceLoader.load(ContentCheck.class).stream()
            .map(ServiceLoader.Provider::get).toList();

    private Map<String, String> unpack(ModelEntry e, Path archive, Path target) throws IOException {
        Path tmp = Files.createTempDirectory(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".unpack-");
        try {
            List<Path> files = TarGz.extract(archive, e.extract() == null ? "" : e.extract(), tmp);
            if (files.isEmpty()) {
                throw new ModelsException("refused " + e.name() + ": the archive has no files under " + e.extract());
            }
            if (e.marker() != null) {
                Path m = tmp.resolve(e.marker());
                if (!Files.isRegularFile(m)) {
                    throw new ModelsException("refused " + e.name() + ": the archive lacks " + e.marker());
                }
                checkFormat(e, m, e.name() + " (" + e.marker() + ")");
            }
            Map<String, String> hashes = new TreeMap<>();
            for (Path f : files) hashes.put(tmp.relativize(f).toString().replace('\\', '/'), Hashes.sha256(f));
            Path old = null;
            if (Files.exists(target)) {
                old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException ex) {
                if (old != null) Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                throw ex;
            }
            tmp = null;
            if (old != null) deleteTree(old);
            return hashes;
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    /** Checks every installed entry of {@code entries} against its published or recorded hash and its format. */
    public List<Check> verify(Collection<ModelEntry> entries) throws ModelsException {
        List<Check> out = new ArrayList<>();
        for (ModelEntry e : entries) out.add(verify(e));
        return out;
    }

    public Check verify(ModelEntry e) throws ModelsException {
        if (!installed(e)) return new Check(e, State.NOT_INSTALLED, "not installed");
        Path t = target(e);
        try {
            var rec = verified.get(e.file());
            if (e.isArchive()) {
                if (rec.isEmpty() || rec.get().files().isEmpty()) {
                    Map<String, String> files = new TreeMap<>();
                    try (Stream<Path> s = Files.walk(t)) {
                        for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile).sorted()::iterator) {
                            files.put(t.relativize(f).toString().replace('\\', '/'), Hashes.sha256(f));
                        }
                    }
                    verified.put(e.file(), null, -1, "found", false, files);
                    return new Check(e, State.RECORDED, files.size() + " files found; their sha256 recorded now");
                }
                for (var f : rec.get().files().entrySet()) {
                    Path p = t.resolve(f.getKey());
                    if (!Files.isRegularFile(p)) return new Check(e, State.MISMATCH, f.getKey() + " is missing");
                    String sha = Hashes.sha256(p);
                    if (!sha.equals(f.getValue())) {
                        return new Check(e, State.MISMATCH, f.getKey() + ": sha256 " + sha + " differs from the recorded "
                                + f.getValue());
                    }
                }
                return new Check(e, State.OK, rec.get().files().size() + " files match their recorded sha256");
            }
            String sha = Hashes.sha256(t);
            long size = Files.size(t);
            if (e.sha256() != null) { // the published bytes, or not: either way nothing more to read
                return e.sha256().equals(sha) ? new Check(e, State.OK, "sha256 matches the published hash")
                        : new Check(e, State.MISMATCH, "sha256 " + sha + " differs from the published " + e.sha256());
            }
            String what = e.name() + " (" + e.fileName() + ")";
            try {
                checkFormat(e, t, what);
            } catch (ModelsException ex) {
                return new Check(e, State.BAD_FORMAT, ex.getMessage().replace("refused ", "").replace("; deleted", ""));
            }
            if (e.sha256Prefix() != null) {
                if (!sha.startsWith(e.sha256Prefix())) {
                    return new Check(e, State.MISMATCH, "sha256 " + sha + " does not start with the published "
                            + e.sha256Prefix());
                }
                if (rec.isEmpty()) verified.put(e.file(), sha, size, "found", false, null);
                return new Check(e, State.OK, "sha256 starts with the published " + e.sha256Prefix());
            }
            if (rec.isEmpty() || rec.get().sha256() == null) {
                verified.put(e.file(), sha, size, "found", false, null);
                return new Check(e, State.RECORDED, "no published hash; sha256 " + sha + " recorded now");
            }
            return rec.get().sha256().equals(sha) ? new Check(e, State.OK, "sha256 matches the one recorded " + rec.get().verified())
                    : new Check(e, State.MISMATCH, "sha256 " + sha + " differs from " + rec.get().sha256()
                    + " recorded " + rec.get().verified());
        } catch (ModelsException ex) {
            throw ex;
        } catch (IOException ex) {
            throw new ModelsException("cannot check " + t + ": " + ex.getMessage(), ex);
        }
    }

    /** torch.save's legacy format: a protocol-2 pickle whose first object is the magic number 0x1950a86a20f9469cfc6c. */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    static boolean isLegacyTorch(Path file) {
        byte[] head = new byte[LEGACY_MAGIC.length];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, head.length) == head.length && java.util.Arrays.equals(head, LEGACY_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        Files.createDirectories(to.toAbsolutePath().getParent());
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException ex) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean constantEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                b.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(ModelInstaller::deleteQuietly);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
