package dev.styleclip.runtime.models;

/** One role a model file plays (a catalog entry's role; what the studio and the commands look a file up by). */
public enum ModelRole {
    GENERATOR("StyleGAN3 generator", "network pickle (*.pkl) from NVIDIA's StyleGAN3 release", ".pkl"),
    CLIP("CLIP", "OpenAI CLIP TorchScript archive (ViT-B-32.pt, ViT-B-16.pt, ViT-L-14.pt)", "ViT-"),
    IDENTITY("ArcFace IR-SE50", "model_ir_se50.pth (identity loss)", "model_ir_se50"),
    VGG16("VGG16 (LPIPS trunk)", "torchvision vgg16-397923af.pth", "vgg16"),
    LPIPS("LPIPS linear layers", "LPIPS v0.1 vgg.pth (perceptual loss)", "vgg.pth"),
    FACE_API("face-api networks", "TF.js weights from @vladmandic/face-api 1.7.15", "ssd_mobilenetv1_model-weights_manifest.json"),
    ENCODER("StyleGAN3 encoder", "ReStyle-pSp / ReStyle-e4e over StyleGAN3 FFHQ (restyle_*_ffhq.pt)", "restyle_");

    private final String label;
    private final String description;
    private final String marker;

    ModelRole(String label, String description, String marker) {
        this.label = label;
        this.description = description;
        this.marker = marker;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** What the file names of this role start with (or are, for LPIPS and face-api's folder). */
    public String marker() {
        return marker;
    }
}
