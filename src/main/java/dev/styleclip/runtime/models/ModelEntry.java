package dev.styleclip.runtime.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Locale;

/**
 * One official model file of the catalog ({@code dev/styleclip/models/catalog.json}).
 *
 * @param name      short id used by the CLI ({@code stylegan3-t-ffhqu-256}, {@code clip-vit-b-32}, …)
 * @param role      the role the file plays in the app
 * @param file      path inside the models folder ({@code ViT-B-32.pt}, {@code lpips/vgg.pth}; a folder for archives)
 * @param url       where it is downloaded from; null for files that must be downloaded by hand ({@code manual})
 * @param page      the page that links the file (for manual downloads: the page the user opens)
 * @param size      size in bytes where known, else null
 * @param sha256    published sha256 (hex) where known, else null (then recorded on the first verified download)
 * @param sha256Prefix a published prefix of the sha256 (torchvision puts the first 8 hex digits in its file names)
 * @param integrity npm-style integrity ({@code sha512-BASE64}) of a downloaded archive
 * @param kind      {@code file} (default) or {@code npm-archive} (a .tgz whose {@code extract} folder is unpacked)
 * @param extract   the folder inside the archive whose files are installed
 * @param marker    for archives: the file (inside the installed folder) that shows it is installed
 * @param formats   the accepted {@link dev.styleclip.io.Format#id() format ids}, sniffed from the bytes
 * @param manual    whether the file sits behind a share link that blocks scripted downloads (Import… instead)
 * @param licence   the file's licence, in words
 * @param purpose   what the app uses it for
 * @param isDefault whether it belongs to the recommended set
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelEntry(
        String name,
        ModelRole role,
        String file,
        String url,
        String page,
        Long size,
        String sha256,
        String sha256Prefix,
        String integrity,
        String kind,
        String extract,
        String marker,
        List<String> formats,
        boolean manual,
        String licence,
        String purpose,
        @JsonProperty("default") boolean isDefault) {

    public ModelEntry {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("catalog entry without a name");
        if (file == null || file.isBlank()) throw new IllegalArgumentException("catalog entry " + name + " without a file");
        if (role == null) throw new IllegalArgumentException("catalog entry " + name + " without a role");
        if (!manual && (url == null || url.isBlank())) {
            throw new IllegalArgumentException("catalog entry " + name + " has no url and is not marked manual");
        }
        if (sha256 != null) sha256 = sha256.toLowerCase(Locale.ROOT);
        if (sha256Prefix != null) sha256Prefix = sha256Prefix.toLowerCase(Locale.ROOT);
        formats = formats == null ? List.of() : List.copyOf(formats);
        if (kind == null || kind.isBlank()) kind = "file";
    }

    /** Whether this entry is an npm tarball from which a folder is unpacked. */
    public boolean isArchive() {
        return "npm-archive".equals(kind);
    }

    /** The file name alone (the last part of {@link #file()}). */
    public String fileName() {
        int i = file.lastIndexOf('/');
        return i < 0 ? file : file.substring(i + 1);
    }

    /** Same entry with another download URL (a mirror, or a test server). */
    public ModelEntry withUrl(String newUrl) {
        return new ModelEntry(name, role, file, newUrl, page, size, sha256, sha256Prefix, integrity, kind, extract, marker,
                formats, manual && newUrl == null, licence, purpose, isDefault);
    }

    /** How the file's content is checked, in words (for listings). */
    public String checkDescription() {
        if (sha256 != null) return "sha256 " + sha256.substring(0, 12) + "…";
        if (integrity != null) return "npm integrity " + integrity.substring(0, Math.min(integrity.length(), 19)) + "…";
        if (sha256Prefix != null) return "sha256 prefix " + sha256Prefix;
        return "sha256 recorded on first download";
    }
}
