package dev.pier.engine;

import java.util.Map;
import java.util.Set;

/**
 * `--sysctl`: only kernel parameters that live in a container's own namespaces, as Docker allows
 * them (net.* in its network namespace; the IPC ones and fs.mqueue.* in its IPC namespace). A
 * container on the host's network namespace would change the host's: net.* is refused there.
 */
final class Sysctls {
    private static final Set<String> IPC = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    private Sysctls() {}

    static Map<String, String> checked(Map<String, String> sysctls, NetworkMode mode) {
        if (sysctls == null || sysctls.isEmpty()) return Map.of();
        for (String key : sysctls.keySet()) {
            boolean net = key.startsWith("net.");
            if (!net && !key.startsWith("fs.mqueue.") && !IPC.contains(key))
                throw EngineException.invalid("sysctl '" + key + "' is not whitelisted");
            if (net && mode instanceof NetworkMode.Host)
                throw EngineException.invalid("sysctl '" + key + "' not allowed in host network namespace");
        }
        return Map.copyOf(sysctls);
    }
}
