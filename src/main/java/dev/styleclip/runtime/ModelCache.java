package dev.styleclip.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Networks loaded on the compute thread, each once, shared by all jobs. Keys name the kind of network and its file (or a
 * demo id). Only the compute thread touches it.
 */
public final class ModelCache implements AutoCloseable {

    /** Loads a network on a cache miss. */
    @FunctionalInterface
    public interface Loader<T> {
        T load() throws Exception;
    }

    private record Key(String kind, Object id) {
    }

    private final Map<Key, Object> models = new LinkedHashMap<>();

    /** The cached network of that kind and id, loading it on first use. */
    public synchronized <T> T get(String kind, Object id, Class<T> type, Loader<? extends T> loader) throws Exception {
        Key k = new Key(kind, Objects.requireNonNull(id));
        Object m = models.get(k);
        if (m == null) {
            m = loader.load();
            models.put(k, m);
        }
        return type.cast(m);
    }

    public synchronized boolean contains(String kind, Object id) {
        return models.containsKey(new Key(kind, id));
    }

    public synchronized int size() {
        return models.size();
    }

    @Override
    public synchronized void close() {
        models.values().forEach(ModelCache::closeQuietly);
        models.clear();
    }

    private static void closeQuietly(Object m) {
        if (m instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // closing a network never fails the app
            }
        }
    }
}
