package dev.pier.image;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The part of an image's config a container inherits. Absent values are empty (never null):
 * an empty entrypoint and cmd mean "none given", an empty workingDir means "/", an empty user root.
 *
 * @param exposedPorts "80/tcp" style keys, as in Docker's ExposedPorts
 */
public record ImageConfig(List<String> env, List<String> cmd, List<String> entrypoint, String workingDir,
                          String user, Set<String> exposedPorts, Map<String, String> labels) {
    public static final ImageConfig EMPTY = new ImageConfig(List.of(), List.of(), List.of(), "", "", Set.of(), Map.of());

    public ImageConfig {
        env = env == null ? List.of() : List.copyOf(env);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? "" : user;
        exposedPorts = exposedPorts == null ? Set.of() : Collections.unmodifiableSortedSet(new TreeSet<>(exposedPorts));
        labels = labels == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }
}
