package dev.pier.api.wire;

import dev.pier.image.Image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pier.api.wire.Wire.map;
import static dev.pier.api.wire.Wire.time;

/** Docker's image JSON: `images` (ImageSummary) and `image inspect`. */
public final class ImageWire {
    private ImageWire() {}

    public static Map<String, Object> summary(Image i) {
        Map<String, Object> m = map();
        m.put("Containers", -1);
        m.put("Created", i.created() == null ? 0 : i.created().getEpochSecond());
        m.put("Id", i.id());
        m.put("Labels", i.config().labels().isEmpty() ? null : i.config().labels());
        m.put("ParentId", "");
        m.put("RepoDigests", List.of());
        m.put("RepoTags", i.repoTags().isEmpty() ? List.of("<none>:<none>") : i.repoTags());
        m.put("SharedSize", -1);
        m.put("Size", i.size());
        m.put("VirtualSize", i.size());
        return m;
    }

    public static Map<String, Object> inspect(Image i) {
        Map<String, Object> m = map();
        m.put("Id", i.id());
        m.put("RepoTags", i.repoTags());
        m.put("RepoDigests", List.of());
        m.put("Parent", "");
        m.put("Comment", "");
        m.put("Created", time(i.created()));
        m.put("DockerVersion", "");
        m.put("Author", "");
        Map<String, Object> c = map();
        c.put("Hostname", "");
        c.put("Domainname", "");
        c.put("User", i.config().user());
        Map<String, Object> exposed = new LinkedHashMap<>();
        for (String p : i.config().exposedPorts()) exposed.put(p, Map.of());
        if (!exposed.isEmpty()) c.put("ExposedPorts", exposed);
        c.put("Env", i.config().env().isEmpty() ? null : i.config().env());
        c.put("Cmd", i.config().cmd().isEmpty() ? null : i.config().cmd());
        c.put("Image", "");
        c.put("WorkingDir", i.config().workingDir());
        c.put("Entrypoint", i.config().entrypoint().isEmpty() ? null : i.config().entrypoint());
        c.put("Labels", i.config().labels().isEmpty() ? null : i.config().labels());
        m.put("Config", c);
        m.put("Architecture", "amd64");
        m.put("Os", "linux");
        m.put("Size", i.size());
        m.put("VirtualSize", i.size());
        m.put("GraphDriver", Map.of("Name", "overlay2", "Data", Map.of()));
        m.put("RootFS", Map.of("Type", "layers", "Layers", new ArrayList<>(i.layerIds())));
        m.put("Metadata", Map.of("LastTagTime", Wire.ZERO_TIME));
        return m;
    }
}
