package dev.styleclip.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * TF.js weight manifests ({@code *-weights_manifest.json} + {@code .bin} shards), as {@code @vladmandic/face-api} ships its
 * networks. Each group's shards are concatenated; its weights lie back to back in that byte stream. Quantised entries
 * (uint8/uint16 with {@code scale} and {@code min} — or {@code offset} — and float16) are dequantised to float32.
 */
public final class TfjsManifest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_MANIFEST = 16L << 20;

    private TfjsManifest() {
    }

    public static TensorStore read(Path manifest) throws ModelFileException {
        JsonNode root;
        try {
            if (Files.size(manifest) > MAX_MANIFEST) throw new ModelFileException(manifest, "is too large for a TF.js weights manifest");
            root = JSON.readTree(manifest.toFile());
        } catch (ModelFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFileException(manifest, "is not a valid TF.js weights manifest (bad JSON: " + firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.isArray()) throw new ModelFileException(manifest, "is not a TF.js weights manifest (expected a JSON array of groups)");
        Path dir = manifest.toAbsolutePath().getParent();
        MapTensorStore store = new MapTensorStore(manifest.toString(), Format.TFJS);
        int g = 0;
        for (JsonNode group : root) {
            JsonNode paths = group.path("paths");
            JsonNode weights = group.path("weights");
            if (!paths.isArray() || !weights.isArray()) throw new ModelFileException(manifest, "group " + g + " lacks 'paths' or 'weights'");
            // concatenate the shards, checking each stays inside the manifest's folder
            long total = 0;
            List<Path> shards = new ArrayList<>();
            for (JsonNode p : paths) {
                Path shard = dir.resolve(p.asText()).normalize();
                if (!shard.startsWith(dir)) throw new ModelFileException(manifest, "names a shard outside its folder: " + p.asText());
                if (!Files.isRegularFile(shard)) throw new ModelFileException(manifest, "names a missing shard file " + p.asText());
                // one shard listed again and again would be read (and held) again and again
                if (shards.contains(shard)) throw new ModelFileException(manifest, "names the shard " + p.asText() + " twice");
                try {
                    total += Files.size(shard);
                } catch (IOException e) {
                    throw new ModelFileException(shard, "cannot be read: " + e.getMessage());
                }
                shards.add(shard);
            }
            if (total > Integer.MAX_VALUE) throw new ModelFileException(manifest, "group " + g + " has more than 2 GB of shards");
            // check the declared sizes before reading anything
            long need = 0;
            for (JsonNode w : weights) {
                long e = entryBytes(manifest, w);
                // compared before adding: a sum of huge declared sizes must not wrap round to something small
                if (e > total - need) {
                    throw new ModelFileException(manifest, "group " + g + " declares more bytes of weights than its shards hold ("
                            + total + "; truncated shard?)");
                }
                need += e;
            }
            ByteBuffer all = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
            for (Path s : shards) {
                try {
                    all.put(Files.readAllBytes(s));
                } catch (IOException e) {
                    throw new ModelFileException(s, "cannot be read: " + e.getMessage());
                }
            }
            all.flip();
            int pos = 0;
            for (JsonNode w : weights) {
                int len = (int) entryBytes(manifest, w);
                ByteBuffer raw = all.duplicate().position(pos).limit(pos + len).slice().order(ByteOrder.LITTLE_ENDIAN);
                pos += len;
                store.put(decode(manifest, w, raw));
            }
            g++;
        }
        return store;
    }

    private static long[] shapeOf(Path manifest, JsonNode w) throws ModelFileException {
        JsonNode sh = w.path("shape");
        if (!sh.isArray()) throw new ModelFileException(manifest, "weight " + w.path("name").asText("?") + " has no shape");
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = sh.get(i).asLong(-1);
            if (d < 0 || d > Integer.MAX_VALUE) throw new ModelFileException(manifest, "weight " + w.path("name").asText("?") + " has a bad shape " + sh);
            shape[i] = d;
        }
        return shape;
    }

    private static int storedElementBytes(Path manifest, JsonNode w) throws ModelFileException {
        JsonNode q = w.get("quantization");
        String dt = q != null ? q.path("dtype").asText() : w.path("dtype").asText();
        switch (dt) {
            case "uint8": case "int8": case "bool": return 1;
            case "uint16": case "int16": case "float16": return 2;
            case "float32": case "int32": return 4;
            default: throw new ModelFileException(manifest, "weight " + w.path("name").asText("?") + " has unsupported dtype " + dt);
        }
    }

    private static long entryBytes(Path manifest, JsonNode w) throws ModelFileException {
        long n;
        try {
            n = Tensor.numel(shapeOf(manifest, w));
            return Math.multiplyExact(n, storedElementBytes(manifest, w));
        } catch (ArithmeticException e) {
            throw new ModelFileException(manifest, "weight " + w.path("name").asText("?") + " has an impossible size");
        }
    }

    private static Tensor decode(Path manifest, JsonNode w, ByteBuffer raw) throws ModelFileException {
        String name = w.path("name").asText(null);
        if (name == null) throw new ModelFileException(manifest, "has a weight without a name");
        long[] shape = shapeOf(manifest, w);
        int n = (int) Tensor.numel(shape);
        String dtype = w.path("dtype").asText("float32");
        JsonNode q = w.get("quantization");
        boolean integerOut = dtype.equals("int32");
        if (q == null) {
            switch (dtype) {
                case "float32": return Tensor.of(name, DType.F32, shape, raw);
                case "int32": return Tensor.of(name, DType.I32, shape, raw);
                case "bool": return Tensor.of(name, DType.BOOL, shape, raw);
                default: throw new ModelFileException(manifest, "weight " + name + " has unsupported dtype " + dtype);
            }
        }
        String qd = q.path("dtype").asText();
        float[] out = new float[n];
        if (qd.equals("float16")) {
            for (int i = 0; i < n; i++) out[i] = Tensor.halfToFloat(raw.getShort(i * 2));
        } else {
            if (!q.has("scale")) throw new ModelFileException(manifest, "weight " + name + " is quantised without a scale");
            double scale = q.path("scale").asDouble();
            double min = q.has("min") ? q.path("min").asDouble() : q.path("offset").asDouble(0);
            boolean wide = qd.equals("uint16");
            for (int i = 0; i < n; i++) {
                int v = wide ? raw.getShort(i * 2) & 0xffff : raw.get(i) & 0xff;
                out[i] = (float) (v * scale + min);
            }
        }
        if (integerOut) {
            long[] l = new long[n];
            for (int i = 0; i < n; i++) l[i] = Math.round(out[i]);
            ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : l) b.putInt((int) v);
            b.flip();
            return Tensor.of(name, DType.I32, shape, b);
        }
        return Tensor.ofFloats(name, shape, out);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
