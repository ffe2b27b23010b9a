package dev.pier.engine;

import dev.pier.ports.PortRequest;
import dev.pier.ports.PublishedPort;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A container as the engine keeps it: what was asked at create, and what is true now. */
public record ContainerRecord(String id, String name, Instant created, String imageId, String imageName,
                              Settings settings, RunState state, List<Attachment> attachments, String sandboxName,
                              List<PublishedPort> ports) {

    public ContainerRecord {
        ports = ports == null ? List.of() : List.copyOf(ports); // records stored before ports existed
    }

    /** Everything `create` asked for, in domain terms (the API maps Docker's JSON to this). */
    public record Settings(List<String> cmd, List<String> entrypoint, List<String> env, String workingDir, String user,
                           String hostname, String domainname, boolean tty, boolean openStdin, Map<String, String> labels,
                           List<String> exposedPorts, String networkMode, Map<String, EndpointRequest> endpoints,
                           boolean autoRemove, String restartPolicy, int restartRetries, List<String> capAdd,
                           List<String> capDrop, boolean privileged, List<String> dns, List<String> dnsSearch,
                           List<String> dnsOptions, List<String> extraHosts, List<String> links, String runtime,
                           List<String> args, List<PortRequest> portBindings, boolean publishAllPorts,
                           Map<String, String> sysctls) {
        public Settings {
            portBindings = portBindings == null ? List.of() : List.copyOf(portBindings);
            exposedPorts = exposedPorts == null ? List.of() : exposedPorts;
            sysctls = sysctls == null ? Map.of() : Map.copyOf(sysctls); // records stored before sysctls existed
        }

        public Settings withLinks(List<String> value) {
            return new Settings(cmd, entrypoint, env, workingDir, user, hostname, domainname, tty, openStdin, labels,
                    exposedPorts, networkMode, endpoints, autoRemove, restartPolicy, restartRetries, capAdd, capDrop,
                    privileged, dns, dnsSearch, dnsOptions, extraHosts, value, runtime, args, portBindings, publishAllPorts, sysctls);
        }

        public Settings withEndpoints(Map<String, EndpointRequest> value) {
            return new Settings(cmd, entrypoint, env, workingDir, user, hostname, domainname, tty, openStdin, labels,
                    exposedPorts, networkMode, value, autoRemove, restartPolicy, restartRetries, capAdd, capDrop,
                    privileged, dns, dnsSearch, dnsOptions, extraHosts, links, runtime, args, portBindings, publishAllPorts, sysctls);
        }
    }

    /** What one network endpoint of the container should get (`--ip`, `--alias`, `--mac-address`). */
    public record EndpointRequest(String ipv4, String ipv6, List<String> aliases, String mac) {}

    public enum Status { CREATED, RUNNING, EXITED, REMOVING, DEAD }

    public record RunState(Status status, long pid, int exitCode, Instant startedAt, Instant finishedAt, String error) {
        public static RunState created() { return new RunState(Status.CREATED, 0, 0, null, null, ""); }
        public boolean running() { return status == Status.RUNNING; }
    }

    /** One live endpoint: the network, the interfaces and addresses it got. */
    public record Attachment(String networkId, String networkName, String endpointId, String interfaceName,
                             String hostInterfaceName, String mac, String ipv4, int ipv4PrefixLength, String gatewayV4,
                             String ipv6, int ipv6PrefixLength, String gatewayV6, List<String> aliases) {}

    public ContainerRecord withName(String n) {
        return new ContainerRecord(id, n, created, imageId, imageName, settings, state, attachments, sandboxName, ports);
    }

    public ContainerRecord withState(RunState s) {
        return new ContainerRecord(id, name, created, imageId, imageName, settings, s, attachments, sandboxName, ports);
    }

    public ContainerRecord withSettings(Settings s) {
        return new ContainerRecord(id, name, created, imageId, imageName, s, state, attachments, sandboxName, ports);
    }

    public ContainerRecord withNetwork(List<Attachment> a, String sandbox) {
        return new ContainerRecord(id, name, created, imageId, imageName, settings, state, a, sandbox, ports);
    }

    public ContainerRecord withPorts(List<PublishedPort> p) {
        return new ContainerRecord(id, name, created, imageId, imageName, settings, state, attachments, sandboxName, p);
    }

    public String shortId() { return id.substring(0, 12); }
}
