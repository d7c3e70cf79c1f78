package dev.styleclip.edit;

import ai.djl.ndarray.NDManager;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.StyleGan3Files;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;

import java.nio.file.Path;

/**
 * What the projection and pivotal-tuning tests run on: a compute thread on the CPU, the golden tiny StyleGAN3 (sg3t-32)
 * and the golden tiny LPIPS, opened once per test class and closed together.
 */
public final class TinyProjectionNetworks implements AutoCloseable {
    public final ComputeService service;
    public final NDManager manager;
    public final StyleGan3Generator generator;
    public final Lpips lpips;

    private TinyProjectionNetworks(ComputeService service, NDManager manager, StyleGan3Generator generator, Lpips lpips) {
        this.service = service;
        this.manager = manager;
        this.generator = generator;
        this.lpips = lpips;
    }

    public static TinyProjectionNetworks open() throws Exception {
        ComputeService service = new ComputeService("cpu");
        NDManager manager = NDManager.newBaseManager();
        StyleGan3Generator g = StyleGan3Files.open(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"), manager);
        Path lp = Golden.set("lpips").resolve("models");
        Lpips lpips = Lpips.load(ModelFiles.open(lp.resolve("lpips_vgg_tiny_a_vgg16.pth")).main(),
                ModelFiles.open(lp.resolve("lpips_vgg_tiny_a_lin.pth")).main());
        return new TinyProjectionNetworks(service, manager, g, lpips);
    }

    @Override
    public void close() {
        lpips.close();
        generator.close();
        manager.close();
        service.close();
    }
}
