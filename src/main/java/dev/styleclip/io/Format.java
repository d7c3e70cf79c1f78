package dev.styleclip.io;

/** Checkpoint file formats the readers understand. Detected from the bytes, never from the extension. */
public enum Format {
    SAFETENSORS("safetensors"),
    TORCH_ZIP("torch-zip"),
    TORCHSCRIPT("torchscript"),
    TORCH_LEGACY("torch-legacy"),
    STYLEGAN_PICKLE("stylegan-pickle"),
    TFJS("tfjs-manifest");

    private final String id;

    Format(String id) {
        this.id = id;
    }

    /** Short name as used in golden manifests and CLI output. */
    public String id() {
        return id;
    }
}
