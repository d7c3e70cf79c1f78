package dev.styleclip.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and writes the safetensors format (8-byte header length, JSON header, raw little-endian data). */
public final class Safetensors {
    /** Duplicate keys are an error: two entries for one tensor name, and readers disagree on which one counts. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** Headers larger than this are refused before anything is allocated. */
    static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** Reads the header of a safetensors file; tensor data is mapped lazily from the file. */
    public static TensorStore read(Path file) throws ModelFileException {
        long size;
        ByteBuffer head;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            if (size < 8) throw new ModelFileException(file, "too short for a safetensors file (" + size + " bytes)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long n = lenBuf.getLong(0);
            if (n <= 0 || n > MAX_HEADER || n > size - 8) {
                throw new ModelFileException(file, "safetensors header length " + n + " does not fit the file of " + size + " bytes");
            }
            head = ByteBuffer.allocate((int) n);
            readFully(ch, head, 8, file);
        } catch (ModelFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot be read: " + e.getMessage(), e);
        }
        long dataStart = 8 + head.capacity();
        return parse(file.toString(), head.array(), size - dataStart, (name, begin, len) -> () -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                if (ch.size() < dataStart + begin + len) throw new ModelFileException(file, "was truncated while reading " + name);
                if (len > 16 << 20) {
                    return ch.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, len).order(ByteOrder.LITTLE_ENDIAN);
                }
                ByteBuffer b = ByteBuffer.allocate((int) len);
                readFully(ch, b, dataStart + begin, file);
                return b.order(ByteOrder.LITTLE_ENDIAN);
            } catch (ModelFileException e) {
                throw e;
            } catch (IOException e) {
                throw new ModelFileException(file, "cannot read tensor " + name + ": " + e.getMessage(), e);
            }
        });
    }

    /** Parses safetensors bytes held in memory (e.g. a zip entry). */
    public static TensorStore read(String source, ByteBuffer bytes) throws ModelFileException {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long size = b.remaining();
        if (size < 8) throw new ModelFileException(source, "too short for a safetensors file");
        long n = b.getLong(b.position());
        if (n <= 0 || n > MAX_HEADER || n > size - 8) throw new ModelFileException(source, "safetensors header length " + n + " does not fit");
        byte[] head = new byte[(int) n];
        b.position(b.position() + 8);
        b.get(head);
        ByteBuffer data = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        return parse(source, head, data.remaining(), (name, begin, len) -> () ->
                data.duplicate().position((int) begin).limit((int) (begin + len)).slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    private interface SourceFactory {
        Tensor.DataSource at(String name, long begin, long len);
    }

    private static TensorStore parse(String source, byte[] head, long dataLen, SourceFactory sources) throws ModelFileException {
        JsonNode root;
        try {
            root = JSON.readTree(head);
        } catch (com.fasterxml.jackson.core.exc.StreamReadException e) {
            throw new ModelFileException(source, "safetensors header is not valid JSON"
                    + (e.getOriginalMessage().startsWith("Duplicate field") ? " (" + e.getOriginalMessage() + ")" : ""));
        } catch (IOException e) {
            throw new ModelFileException(source, "safetensors header is not valid JSON");
        }
        if (root == null || !root.isObject()) throw new ModelFileException(source, "safetensors header is not a JSON object");
        Map<String, Object> meta = new LinkedHashMap<>();
        MapTensorStore store = new MapTensorStore(source, Format.SAFETENSORS);
        java.util.List<long[]> spans = new java.util.ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (v.isObject()) v.fields().forEachRemaining(m -> store.putMetadata(m.getKey(), m.getValue().asText()));
                continue;
            }
            DType dt = DType.fromSafetensors(v.path("dtype").asText(null));
            if (dt == null) throw new ModelFileException(source, "tensor " + name + " has unknown dtype " + v.path("dtype"));
            JsonNode sh = v.path("shape");
            JsonNode off = v.path("data_offsets");
            if (!sh.isArray() || !off.isArray() || off.size() != 2) throw new ModelFileException(source, "tensor " + name + " has a malformed header entry");
            long[] shape = new long[sh.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!sh.get(i).canConvertToLong() || sh.get(i).asLong() < 0) throw new ModelFileException(source, "tensor " + name + " has a bad shape " + sh);
                shape[i] = sh.get(i).asLong();
            }
            long begin = off.get(0).asLong(-1);
            long end = off.get(1).asLong(-1);
            long expected;
            try {
                expected = Math.multiplyExact(Tensor.numel(shape), dt.byteSize());
            } catch (ArithmeticException ex) {
                throw new ModelFileException(source, "tensor " + name + " has an impossible shape " + sh);
            }
            if (begin < 0 || end < begin || end > dataLen || end - begin != expected) {
                throw new ModelFileException(source, "tensor " + name + " claims bytes [" + begin + ", " + end + ") but needs " + expected
                        + " bytes within " + dataLen + " bytes of data");
            }
            store.put(new Tensor(name, dt, shape, sources.at(name, begin, end - begin)));
            spans.add(new long[]{begin, end});
        }
        // the format gives every tensor bytes of its own: overlapping ranges make one tensor's data another's
        spans.sort(java.util.Comparator.comparingLong(a -> a[0]));
        long reached = 0;
        for (long[] cur : spans) {
            if (cur[1] > cur[0] && cur[0] < reached) {
                throw new ModelFileException(source, "tensors' data ranges overlap (bytes " + cur[0] + " to " + Math.min(cur[1], reached)
                        + " belong to two tensors)");
            }
            reached = Math.max(reached, cur[1]);
        }
        return store;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos, Path file) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) throw new ModelFileException(file, "ends before its declared data (truncated?)");
        }
        b.flip();
    }

    /** Writes tensors as safetensors, atomically (temp file + move). */
    public static void write(Path file, Collection<Tensor> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, out -> write(out, tensors, metadata));
    }

    /** Writes tensors as safetensors to a stream. */
    public static void write(OutputStream out, Collection<Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        List<ByteBuffer> blobs = new ArrayList<>();
        for (Tensor t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype().safetensorsName());
            var sh = e.putArray("shape");
            for (long d : t.shape()) sh.add(d);
            long len = t.byteSize();
            var off = e.putArray("data_offsets");
            off.add(offset);
            off.add(offset + len);
            offset += len;
            blobs.add(t.data());
        }
        byte[] h;
        try {
            h = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IOException(e);
        }
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
        out.write(len.array());
        out.write(h);
        for (int i = h.length; i < padded; i++) out.write(' ');
        byte[] chunk = new byte[1 << 16];
        for (ByteBuffer b : blobs) {
            ByteBuffer d = b.duplicate();
            while (d.hasRemaining()) {
                int n = Math.min(chunk.length, d.remaining());
                d.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
    }

    /** Convenience: whether the file looks like safetensors (header length plausible and JSON object start). */
    static boolean sniff(byte[] head, long fileSize) {
        if (head.length < 9) return false;
        long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return n > 1 && n <= fileSize - 8 && head[8] == '{';
    }

    /** Reads a whole small file as safetensors from bytes already in memory. */
    public static TensorStore read(Path file, byte[] bytes) throws ModelFileException {
        return read(file.toString(), ByteBuffer.wrap(bytes));
    }
}
