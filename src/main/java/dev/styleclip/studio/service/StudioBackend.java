package dev.styleclip.studio.service;

/**
 * Everything the studio asks of the compute side, as one object: the feature ports each view model sees
 * ({@link SourcePort}, {@link EditPort}, {@link DirectionsPort}, {@link MapperPort}) plus what belongs to the whole
 * window. Every call returns at once; the listener is called later on the FX thread (a test double may call it at
 * once).
 */
public interface StudioBackend extends SourcePort, EditPort, DirectionsPort, MapperPort, AutoCloseable {

    /** Sets the memory budget jobs plan against, in bytes (0: automatic, a safe share of what is free). */
    void setMemoryBudget(long bytes);

    @Override
    void close();
}
