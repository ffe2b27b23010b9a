package dev.pier.image;

import java.time.Instant;
import java.util.List;

/**
 * An image in the local store.
 *
 * @param id       "sha256:" + the sha256 of its config JSON, as Docker computes it
 * @param repoTags familiar references, e.g. "busybox:latest"; empty for a dangling image
 * @param created  the config's "created" time
 * @param size     bytes of all layers' file content
 * @param config   what a container inherits (env, cmd, entrypoint, ...)
 * @param layerIds the layers' diff ids ("sha256:..." of the uncompressed layer tar), bottom-most first
 */
public record Image(String id, List<String> repoTags, Instant created, long size, ImageConfig config,
                    List<String> layerIds) {
    public Image {
        repoTags = List.copyOf(repoTags);
        layerIds = List.copyOf(layerIds);
    }

    /** The first 12 hex digits of the id, as `docker images` shows it. */
    public String shortId() {
        return id.substring("sha256:".length(), "sha256:".length() + 12);
    }
}
