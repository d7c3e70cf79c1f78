package dev.styleclip.io;

import dev.styleclip.golden.Golden;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The adversarial model files of the test suite, built by the tests themselves: each is written into a folder on
 * demand and carries the words its refusal must contain. Payloads that would run code touch a marker file named by
 * {@link #marker}; it must never appear. Used by the readers' own tests and by the command-line suite
 * ({@code cli.AdversarialSuiteTest}), which feeds every one of them to every command that reads model files.
 */
public final class HostileInputs {
    private HostileInputs() {
    }

    /** Writes one hostile file into a folder and returns it. */
    @FunctionalInterface
    public interface Builder {
        Path write(Path dir) throws Exception;
    }

    /**
     * One hostile input: {@code reason} is a regular expression the one-line refusal must match somewhere;
     * {@code bomb} marks inputs whose point is memory (a naive reader would need gigabytes).
     */
    public record Input(String name, String reason, boolean bomb, Builder build) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The file a code-executing payload in {@code dir} would create. */
    public static Path marker(Path dir) {
        return dir.resolve("PWNED");
    }

    /** Every hostile model file, one per class of attack or damage. */
    public static List<Input> modelFiles() {
        List<Input> all = new ArrayList<>();
        all.add(new Input("pickle calling os.system (protocol 2)", "os\\.system", false,
                d -> Files.write(d.resolve("evil.pkl"), new PickleWriter().proto(2)
                        .call("os", "system", "touch " + marker(d)).stop().toBytes())));
        all.add(new Input("pickle calling builtins.exec (protocol 4, STACK_GLOBAL)", "builtins\\.exec", false,
                d -> Files.write(d.resolve("evil4.pkl"), new PickleWriter().proto(4).stackGlobal("builtins", "exec")
                        .str("open('" + marker(d) + "','w')").tuple1().reduce().stop().toBytes())));
        all.add(new Input("torch zip whose data.pkl calls posix.system", "posix\\.system", false,
                d -> TestZips.rewrite(golden("idloss", "irse_tiny_a.zip.pth"), d.resolve("evil.zip.pth"),
                        (n, b) -> n.endsWith("/data.pkl") ? systemCall(d) : b)));
        all.add(new Input("TorchScript archive whose data.pkl calls posix.system", "posix\\.system", false,
                d -> TestZips.rewrite(golden("clip", "tiny-ViT-P8-R32.pt"), d.resolve("ViT-evil.pt"),
                        (n, b) -> n.endsWith("/data.pkl") ? systemCall(d) : b)));
        all.add(new Input("legacy torch.save file whose object pickle calls runpy.run_path", "runpy\\.run_path", false,
                d -> Files.write(d.resolve("evil-legacy.pth"), new PickleWriter().raw(PickleWriter.legacyHeader()).proto(2)
                        .call("runpy", "run_path", marker(d).toString()).stop().toBytes())));
        all.add(new Input("torch zip with two data.pkl entries, the hostile one first", "two entries are named '[^']*data\\.pkl'",
                false, HostileInputs::twinDataPkl));
        all.add(new Input("torch zip whose storages are deflate bombs", "is a zip bomb", true, HostileInputs::storageBombs));
        all.add(new Input("pickle of shared references (billion laughs)", "too large|nested", true,
                HostileInputs::sharedReferenceBomb));
        all.add(new Input("pickle nested 100,000 lists deep", "nested too deeply|too deep", false,
                d -> {
                    PickleWriter w = new PickleWriter().proto(2).emptyDict().str("kwargs");
                    for (int i = 0; i < 100_000; i++) w.emptyList();
                    for (int i = 1; i < 100_000; i++) w.op('a'); // APPEND: each list into the one below
                    return Files.write(d.resolve("deep.pkl"), w.setitem().stop().toBytes());
                }));
        all.add(new Input("legacy file whose storage view starts at 2^63 - 2", "lies outside it|overflows", false,
                HostileInputs::viewOffsetOverflow));
        all.add(new Input("safetensors with two tensors sharing bytes", "overlap \\(bytes 8 to 16 belong to two tensors\\)", false,
                d -> safetensors(d, "overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16)));
        all.add(new Input("safetensors naming one tensor twice", "Duplicate field 'a'", false,
                d -> safetensors(d, "twice.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16)));
        all.add(new Input("safetensors claiming a terabyte", "claims bytes \\[0, 4000000000000\\)", false,
                d -> safetensors(d, "tera.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[1000000000,1000],"
                        + "\"data_offsets\":[0,4000000000000]}}", 16)));
        all.add(new Input("safetensors whose header length points past the file", "not a model file this app can read", false,
                d -> Files.write(d.resolve("len.safetensors"), ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(Long.MAX_VALUE).putLong(0).array())));
        all.add(new Input("TF.js manifest whose declared sizes wrap when summed",
                "declares more bytes of weights than its shards hold", true, d -> {
                    Files.write(d.resolve("s.bin"), new byte[64]);
                    String huge = "{\"name\":\"%s\",\"shape\":[2147483647,1073741824],\"dtype\":\"float32\"}";
                    return Files.writeString(d.resolve("wrap-weights_manifest.json"), "[{\"paths\":[\"s.bin\"],\"weights\":["
                            + String.format(huge, "a") + "," + String.format(huge, "b") + "," + String.format(huge, "c")
                            + "," + String.format(huge, "d") + "]}]");
                }));
        all.add(new Input("TF.js manifest repeating one shard", "names the shard \\./s\\.bin twice", true, d -> {
            Files.write(d.resolve("s.bin"), new byte[64]);
            return Files.writeString(d.resolve("rep-weights_manifest.json"),
                    "[{\"paths\":[\"s.bin\",\"./s.bin\",\"s.bin\"],\"weights\":[]}]");
        }));
        all.add(new Input("TF.js manifest whose shard climbs out of its folder", "\\.\\./\\.\\./etc/passwd|outside", false,
                d -> Files.writeString(d.resolve("up-weights_manifest.json"), "[{\"paths\":[\"../../etc/passwd\"],"
                        + "\"weights\":[{\"name\":\"x\",\"shape\":[1],\"dtype\":\"float32\"}]}]")));
        all.add(new Input("torch zip cut in half", "truncated|corrupt", false, d -> {
            byte[] b = Files.readAllBytes(golden("idloss", "irse_tiny_a.zip.pth"));
            return Files.write(d.resolve("cut.zip.pth"), Arrays.copyOf(b, b.length / 2));
        }));
        all.add(new Input("StyleGAN pickle cut in half", "truncated|corrupt|ends", false, d -> {
            byte[] b = Files.readAllBytes(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"));
            return Files.write(d.resolve("cut.pkl"), Arrays.copyOf(b, b.length / 2));
        }));
        all.add(new Input("an empty file", "empty", false, d -> Files.write(d.resolve("empty.pth"), new byte[0])));
        all.add(new Input("an HTML page saved as a model", "not a model file|HTML", false,
                d -> Files.writeString(d.resolve("page.pth"), "<!DOCTYPE html><html><title>Google Drive</title></html>")));
        return all;
    }

    private static Path golden(String set, String file) {
        return Golden.set(set).resolve("models").resolve(file);
    }

    private static byte[] systemCall(Path d) {
        return new PickleWriter().proto(4).stackGlobal("posix", "system").str("touch " + marker(d)).tuple1().reduce()
                .stop().toBytes();
    }

    /** A safetensors file: the header as given, then {@code dataBytes} zero bytes. */
    public static Path safetensors(Path dir, String name, String header, int dataBytes) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(new byte[dataBytes]);
        return Files.write(dir.resolve(name), b.array());
    }

    /** A version-1 {@code .npy}: magic, the header dict padded to 64 bytes, the data. */
    public static byte[] npy(String dict, byte[] data) {
        return npy(1, dict, data);
    }

    /** An {@code .npy} of format version {@code major} (1: 16-bit header length; 2 and 3: 32-bit) holding {@code dict}. */
    public static byte[] npy(int major, String dict, byte[] data) {
        int base = major == 1 ? 10 : 12;
        int pad = (64 - (base + dict.length() + 1) % 64) % 64;
        byte[] header = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(base + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) header.length);
        else b.putInt(header.length);
        return b.put(header).put(data).array();
    }

    /**
     * A torch zip with two {@code data.pkl} entries, the hostile one first: some reader (Python's zipfile takes the last,
     * others the first) would run the other one. Written under a stand-in name of the same length, then renamed in the
     * bytes (ZipOutputStream refuses duplicates).
     */
    public static Path twinDataPkl(Path dir) throws Exception {
        Path benign = golden("idloss", "irse_tiny_a.zip.pth");
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipFile in = new ZipFile(benign.toFile()); ZipOutputStream zos = new ZipOutputStream(bos)) {
            boolean first = true;
            for (Enumeration<? extends ZipEntry> en = in.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (first) {
                    String prefix = e.getName().substring(0, e.getName().indexOf('/') + 1);
                    TestZips.stored(zos, prefix + "data.pkQ", systemCall(dir));
                    first = false;
                }
                TestZips.stored(zos, e.getName(), in.getInputStream(e).readAllBytes());
            }
        }
        byte[] zip = TestZips.replaceAll(bos.toByteArray(), "data.pkQ", "data.pkl");
        return Files.write(dir.resolve("twins.zip.pth"), zip);
    }

    /**
     * A real torch zip whose first eight storages are replaced by deflated 64 MiB runs of zeros (each legal on its own,
     * 1000:1): read naively they inflate to half a gigabyte from a file of about a megabyte.
     */
    public static Path storageBombs(Path dir) throws Exception {
        Path benign = golden("idloss", "irse_tiny_a.zip.pth");
        byte[] zeros = new byte[64 << 20];
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        int bombs = 0;
        try (ZipFile in = new ZipFile(benign.toFile()); ZipOutputStream zos = new ZipOutputStream(bos)) {
            zos.setLevel(Deflater.BEST_SPEED);
            for (Enumeration<? extends ZipEntry> en = in.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.getName().contains("/data/") && bombs < 8) {
                    zos.putNextEntry(new ZipEntry(e.getName())); // deflated; sizes in the central directory
                    zos.write(zeros);
                    zos.closeEntry();
                    bombs++;
                } else {
                    TestZips.stored(zos, e.getName(), in.getInputStream(e).readAllBytes());
                }
            }
        }
        if (bombs != 8) throw new IllegalStateException("the golden file has fewer than 8 storages");
        return Files.write(dir.resolve("bomb.zip.pth"), bos.toByteArray());
    }

    /**
     * "Billion laughs": 40 levels of dicts each holding the previous one twice through the pickle memo, under a
     * StyleGAN-like {@code kwargs} key — a few hundred bytes that expand to 2^40 items.
     */
    public static Path sharedReferenceBomb(Path dir) throws Exception {
        PickleWriter d = new PickleWriter().proto(2).emptyDict().str("kwargs");
        d.emptyDict().str("a").i(1).setitem().op('q').op(0).op('0');
        for (int k = 1; k <= 40; k++) {
            d.emptyDict().mark().str("a").op('h').op(k - 1).str("b").op('h').op(k - 1).setitems().op('q').op(k).op('0');
        }
        d.op('h').op(40).setitem().stop();
        return Files.write(dir.resolve("laughs.pkl"), d.toBytes());
    }

    /** The same bomb made of lists. */
    public static Path sharedReferenceListBomb(Path dir) throws Exception {
        PickleWriter w = new PickleWriter().proto(2).emptyDict().str("kwargs");
        w.emptyList().mark().i(1).appends().op('q').op(0).op('0');
        for (int k = 1; k <= 40; k++) {
            w.emptyList().mark().op('h').op(k - 1).op('h').op(k - 1).appends().op('q').op(k).op('0');
        }
        w.op('h').op(40).setitem().stop();
        return Files.write(dir.resolve("laughs-lists.pkl"), w.toBytes());
    }

    /**
     * A legacy torch.save file whose storage view starts at 2^63 − 2: an offset check written as a sum wraps round into
     * range and would hand out other bytes.
     */
    public static Path viewOffsetOverflow(Path dir) throws Exception {
        PickleWriter w = new PickleWriter().raw(PickleWriter.legacyHeader()).proto(2).emptyDict().str("w");
        w.global("torch._utils", "_rebuild_tensor_v2").mark();
        w.mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").i(4)
                .mark().str("v").op(0x8a).op(8).raw(PickleWriter.le64(Long.MAX_VALUE - 1)).i(4).tuple()
                .tuple().binpersid();
        w.i(0).mark().i(4).tuple().mark().i(1).tuple().bool(false).global("collections", "OrderedDict").emptyTuple().reduce();
        w.tuple().reduce().setitem().stop();
        w.proto(2).emptyList().mark().str("0").appends().stop();
        w.raw(PickleWriter.le64(4)).raw(new byte[16]);
        return Files.write(dir.resolve("view.pth"), w.toBytes());
    }
}
