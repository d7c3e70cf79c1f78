package dev.styleclip.io;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Named tensors read from one checkpoint (or one object inside it), in the file's order,
 * with any non-tensor information the format carries (class name, init kwargs, safetensors metadata) as data.
 */
public interface TensorStore {

    /** Where the tensors came from (file name, plus the object inside it when there are several). */
    String source();

    /** The format the tensors were read from. */
    Format format();

    /** Tensor names in file order. */
    List<String> names();

    /** Whether a tensor of that name exists. */
    boolean contains(String name);

    /** The tensor of that name. @throws ModelFileException when absent (the message names the file and the key). */
    Tensor get(String name) throws ModelFileException;

    /** All tensors in file order. */
    Collection<Tensor> tensors();

    /** Non-tensor information as plain data (String, Number, Boolean, List, Map, null); never null itself. */
    Map<String, Object> metadata();

    default int size() {
        return names().size();
    }

    /** A view of the tensors whose names start with {@code prefix}, with the prefix removed. */
    default TensorStore subStore(String prefix) {
        MapTensorStore sub = new MapTensorStore(source() + "[" + prefix + "]", format(), metadata());
        for (Tensor t : tensors()) {
            if (t.name().startsWith(prefix)) {
                String rest = t.name().substring(prefix.length());
                sub.put(rest, t);
            }
        }
        return sub;
    }
}
