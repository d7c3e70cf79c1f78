package dev.styleclip.studio.service;

import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.models.ModelCatalog;

/**
 * The real backend: one service per feature port, each submitting its feature's jobs to the single
 * {@link ComputeService} thread through the {@link ComputeBridge}, all with the same {@link StudioNetworks} (the models
 * folder's files and the generator chosen). What it keeps for itself belongs to the whole window: the device, the
 * memory budget, and closing the compute thread when it started it.
 */
public final class ComputeBackend implements StudioBackend {
    private final ComputeBridge bridge;
    private final boolean ownsCompute;
    private final SourcePort source;
    private final EditPort edit;
    private final DirectionsPort directions;
    private final MapperPort mapper;
    private final RecipeBatchPort recipeBatch;

    /** @param ownsCompute whether {@link #close} closes the bridge's compute thread */
    public ComputeBackend(ComputeBridge bridge, ModelCatalog catalog, boolean ownsCompute) {
        this.bridge = bridge;
        this.ownsCompute = ownsCompute;
        StudioNetworks networks = new StudioNetworks(catalog);
        this.source = new SourceService(bridge, networks);
        this.edit = new EditService(bridge, networks);
        this.directions = new DirectionsService(bridge, networks);
        this.mapper = new MapperService(bridge, networks);
        this.recipeBatch = new RecipeBatchService(bridge, networks);
    }

    /** The compute thread on the default device and the models of {@code catalog}. */
    public static ComputeBackend standard(ModelCatalog catalog) {
        return new ComputeBackend(new ComputeBridge(new ComputeService()), catalog, true);
    }

    @Override
    public SourcePort source() {
        return source;
    }

    @Override
    public EditPort edit() {
        return edit;
    }

    @Override
    public DirectionsPort directions() {
        return directions;
    }

    @Override
    public MapperPort mapper() {
        return mapper;
    }

    @Override
    public RecipeBatchPort recipeBatch() {
        return recipeBatch;
    }

    @Override
    public String deviceName() {
        return bridge.compute().deviceName();
    }

    @Override
    public void setMemoryBudget(long bytes) {
        bridge.compute().setMemoryBudget(bytes);
    }

    @Override
    public void close() {
        if (ownsCompute) bridge.compute().close();
    }
}
