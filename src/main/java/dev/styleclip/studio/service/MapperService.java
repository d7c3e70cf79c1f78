package dev.styleclip.studio.service;

/** The Mapper tab's task as a job: a training ({@link MapperTraining}) with the networks in use. */
final class MapperService implements MapperPort {
    private final ComputeBridge bridge;
    private final StudioNetworks networks;

    MapperService(ComputeBridge bridge, StudioNetworks networks) {
        this.bridge = bridge;
        this.networks = networks;
    }

    @Override
    public Task trainMapper(MapperTrainRequest request, Listener<MapperTrainResult> listener) {
        MapperTraining t = new MapperTraining(request, networks.editFiles());
        return bridge.task("train mapper: " + request.prompt(), t.job(), t.listener(listener));
    }
}
