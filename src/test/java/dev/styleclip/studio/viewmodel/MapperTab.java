package dev.styleclip.studio.viewmodel;

import dev.styleclip.runtime.models.ModelCatalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * The Mapper tab's view models as the composition root wires them, over the synchronous {@link FakeBackend} (which
 * writes checkpoints like the real job), a models folder in {@code dir} and a fresh preferences node that
 * {@link #close} removes.
 */
final class MapperTab implements AutoCloseable {
    final FakeBackend backend = new FakeBackend();
    final Path dir;
    final Preferences node;
    final StudioViewModel vm;
    final MapperSettings settings;
    final MapperRunViewModel run;
    final MapperLibraryViewModel library;

    MapperTab(Path dir) throws Exception {
        this.dir = dir;
        node = Preferences.userRoot().node("/dev/styleclip/test/mapper-" + System.nanoTime());
        Files.createDirectories(dir.resolve("models"));
        vm = reopen();
        settings = vm.mapperSettings();
        run = vm.mapperRun();
        library = vm.mapperLibrary();
    }

    /** The studio's view models again on the same preferences and folders: what the next start finds. */
    StudioViewModel reopen() {
        return new StudioViewModel(backend, new ModelsViewModel(new ModelCatalog(dir.resolve("models")), Runnable::run),
                new StudioPrefs(node));
    }

    /** The latest notice. */
    Notice last() {
        return vm.status().notices().get(vm.status().notices().size() - 1);
    }

    /** A run small enough for a test: {@code epochs} × {@code steps} steps at batch 2. */
    void small(int epochs, int steps) {
        settings.epochs().set(epochs);
        settings.stepsPerEpoch().set(steps);
        settings.batch().set(2);
    }

    @Override
    public void close() throws BackingStoreException {
        node.removeNode();
    }
}
