package dev.styleclip.io;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link TensorStore} backed by an insertion-ordered map. */
public final class MapTensorStore implements TensorStore {
    private final String source;
    private final Format format;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, Object> metadata;

    public MapTensorStore(String source, Format format, Map<String, Object> metadata) {
        this.source = source;
        this.format = format;
        this.metadata = metadata == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metadata);
    }

    public MapTensorStore(String source, Format format) {
        this(source, format, null);
    }

    /** Adds a tensor under its own name. */
    public MapTensorStore put(Tensor t) {
        tensors.put(t.name(), t);
        return this;
    }

    /** Adds a tensor under another name (the tensor keeps its data). */
    public MapTensorStore put(String name, Tensor t) {
        tensors.put(name, name.equals(t.name()) ? t : new Tensor(name, t.dtype(), t.shape(), t::data));
        return this;
    }

    public MapTensorStore putMetadata(String key, Object value) {
        metadata.put(key, value);
        return this;
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public Format format() {
        return format;
    }

    @Override
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(tensors.keySet()));
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public Tensor get(String name) throws ModelFileException {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelFileException(source, "has no tensor named '" + name + "'");
        return t;
    }

    @Override
    public Collection<Tensor> tensors() {
        return Collections.unmodifiableCollection(tensors.values());
    }

    @Override
    public Map<String, Object> metadata() {
        return Collections.unmodifiableMap(metadata);
    }
}
