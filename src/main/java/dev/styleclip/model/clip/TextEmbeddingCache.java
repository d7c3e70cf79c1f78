package dev.styleclip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text features (raw, not normalised) cached in memory per (model, prompt): a prompt is encoded once per model, however
 * many images it is scored against or editing steps use it. The model is identified by its {@link ClipModel#source()}
 * (the file it was read from). Least recently used entries are dropped beyond the capacity. Thread-safe.
 */
public final class TextEmbeddingCache {
    private static final TextEmbeddingCache SHARED = new TextEmbeddingCache(1024);

    private final int capacity;
    private final Map<String, float[]> map;
    private long hits;
    private long misses;

    public TextEmbeddingCache(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive");
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> e) {
                return size() > TextEmbeddingCache.this.capacity;
            }
        };
    }

    /** The process-wide cache. */
    public static TextEmbeddingCache shared() {
        return SHARED;
    }

    /** The raw text features [embed] of one prompt (validated with {@link ClipTokenizer#requirePrompt}). */
    public float[] get(ClipModel model, String prompt) {
        return lookup(model, List.of(prompt));
    }

    /** The raw text features [T, embed] of the prompts, created in {@code out}; uncached prompts are encoded in one batch. */
    public NDArray features(ClipModel model, List<String> prompts, NDManager out) {
        int d = model.config().embedDim();
        float[] all = lookup(model, prompts);
        return out.create(all, new Shape(prompts.size(), d));
    }

    private float[] lookup(ClipModel model, List<String> prompts) {
        int d = model.config().embedDim();
        float[] all = new float[prompts.size() * d];
        List<Integer> todo = new ArrayList<>();
        synchronized (this) {
            for (int i = 0; i < prompts.size(); i++) {
                ClipTokenizer.requirePrompt(prompts.get(i));
                float[] f = map.get(key(model, prompts.get(i)));
                if (f != null) {
                    System.arraycopy(f, 0, all, i * d, d);
                    hits++;
                } else {
                    todo.add(i);
                    misses++;
                }
            }
        }
        if (!todo.isEmpty()) {
            List<String> texts = new ArrayList<>();
            for (int i : todo) texts.add(prompts.get(i));
            float[] enc;
            try (NDManager m = model.manager().newSubManager()) {
                enc = model.encodeText(texts, m).toFloatArray();
            }
            synchronized (this) {
                for (int k = 0; k < todo.size(); k++) {
                    float[] f = new float[d];
                    System.arraycopy(enc, k * d, f, 0, d);
                    map.put(key(model, texts.get(k)), f);
                    System.arraycopy(f, 0, all, todo.get(k) * d, d);
                }
            }
        }
        return all;
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    public synchronized int size() {
        return map.size();
    }

    public synchronized void clear() {
        map.clear();
    }

    private static String key(ClipModel model, String prompt) {
        return model.source() + '\u0000' + prompt;
    }
}
