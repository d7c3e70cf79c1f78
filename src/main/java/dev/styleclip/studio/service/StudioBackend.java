package dev.styleclip.studio.service;

/**
 * Everything the studio asks of the compute side, for the composition root: the feature ports it hands to the view
 * models, one per feature ({@link SourcePort}, {@link EditPort}, {@link DirectionsPort}, {@link MapperPort},
 * {@link RecipeBatchPort}), and what belongs to the whole window — the device, the memory budget, closing. Every call of a port returns at once; the
 * listener is called later on the FX thread (a test double may call it at once).
 */
public interface StudioBackend extends AutoCloseable {

    SourcePort source();

    EditPort edit();

    DirectionsPort directions();

    MapperPort mapper();

    RecipeBatchPort recipeBatch();

    /** "cpu", "gpu(0)": where the tasks run. */
    String deviceName();

    /** Sets the memory budget jobs plan against, in bytes (0: automatic, a safe share of what is free). */
    void setMemoryBudget(long bytes);

    @Override
    void close();
}
