package dev.pier.runtime;

import dev.pier.image.Image;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything {@link OciRuntime#start} needs to run one container.
 *
 * @param id             the container id (runc's too): letters, digits, '_', '.', '-'; Docker's are 64 hex
 * @param args           entrypoint + cmd, already resolved; empty means the image's entrypoint + cmd
 * @param env            "KEY=value" entries; merged over the image's env (a key given here wins)
 * @param workingDir     absolute path in the container; null/empty means the image's, then "/"
 * @param user           "name", "uid", "uid:gid", "name:group"; null/empty means the image's, then root
 * @param hostname       null/empty means the first 12 characters of the id
 * @param hostsFile      nullable: bind-mounted read-write at /etc/hosts (likewise the next two)
 * @param capAdd         capability names with or without "CAP_", any case, or "ALL"
 * @param runtime        "runc" or "crun"; null/empty means "runc"
 * @param sysctls        kernel parameters set inside the container's namespaces (checked by the engine)
 */
public record ContainerSpec(String id, Image image, List<String> args, List<String> env, String workingDir,
                            String user, boolean tty, boolean openStdin, String hostname, NetworkNamespace network,
                            Path hostsFile, Path hostnameFile, Path resolvConfFile, Set<String> capAdd,
                            Set<String> capDrop, boolean privileged, String runtime, Map<String, String> labels,
                            Map<String, String> sysctls) {
    public ContainerSpec {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
        capAdd = capAdd == null ? Set.of() : Set.copyOf(capAdd);
        capDrop = capDrop == null ? Set.of() : Set.copyOf(capDrop);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        sysctls = sysctls == null ? Map.of() : Map.copyOf(sysctls);
        network = network == null ? new NetworkNamespace.NewEmpty() : network;
    }
}
