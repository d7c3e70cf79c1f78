package dev.styleclip.model.face;

import dev.styleclip.runtime.models.ModelRole;
import ai.djl.ndarray.NDManager;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.runtime.models.ContentCheck;
import dev.styleclip.runtime.models.ModelEntry;

import java.nio.file.Path;

/**
 * The installer's check of face-api's model folder ({@code META-INF/services}), run on its marker (the SSD manifest)
 * once the folder is unpacked: the two networks every photo import needs, the SSD detector and the 68-landmark net,
 * are built from the folder and released. Folders marked by another manifest are not ours to judge.
 */
public final class FaceApiFileCheck implements ContentCheck {

    @Override
    public void check(ModelEntry entry, Checkpoint file) throws ModelFileException {
        if (entry.role() != ModelRole.FACE_API || file.file() == null) return;
        Path marker = file.file().getFileName();
        if (marker == null || !marker.toString().equals(SsdMobilenetV1.MODEL + FaceApiWeights.MANIFEST_SUFFIX)) return;
        Path dir = file.file().toAbsolutePath().getParent();
        try (NDManager m = NDManager.newBaseManager(); SsdMobilenetV1 ssd = SsdMobilenetV1.load(file.main(), m);
             Landmark68Net marks = Landmark68Net.load(dir, m)) {
            // both built from the folder as the photo import will build them
        }
    }
}
