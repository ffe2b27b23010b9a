package dev.pier.e2e;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.CreateNetworkResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker-java, as tools embed it, against a private pierd: unchanged, through the unix socket. */
class DockerJavaTest {
    static Pier pier;
    static DockerClient docker;
    static String net;   // "10.250.x." for this class's network

    @BeforeAll
    static void start() throws Exception {
        pier = new Pier();
        net = "10.250." + (pier.prefix.hashCode() & 0xFF) + ".";
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost("unix://" + pier.socket)
                .withDockerTlsVerify(false)
                .withDockerConfig(Files.createDirectories(pier.root.resolve("docker-config")).toString())
                .build();
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .connectionTimeout(Duration.ofSeconds(10)).responseTimeout(Duration.ofSeconds(60)).build();
        docker = DockerClientImpl.getInstance(config, http);
    }

    @AfterAll
    static void stop() throws Exception {
        if (pier == null) return;
        try {
            if (docker != null) docker.close();
        } finally {
            pier.close();
        }
        assertThat(pier.leftovers()).isEmpty();
        assertThat(Pier.sh("ip -o link").out()).doesNotContain(pier.prefix);
    }

    @Test
    void pingAndVersion() {
        docker.pingCmd().exec();
        Version version = docker.versionCmd().exec();
        assertThat(version.getApiVersion()).matches("1\\.\\d+");
        assertThat(version.getVersion()).isNotEmpty();
        assertThat(version.getOperatingSystem()).isEqualTo("linux");
        assertThat(docker.infoCmd().exec().getOsType()).isEqualTo("linux");
    }

    @Test
    void aContainerOnANetworkCreatedThroughDockerJava() throws Exception {
        String name = pier.prefix + "-dj";
        CreateNetworkResponse created = docker.createNetworkCmd().withName(name).withDriver("bridge")
                .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet(net + "0/24").withGateway(net + "1")))
                .withLabels(java.util.Map.of("by", "docker-java"))
                .exec();
        String containerId = null;
        try {
            assertThat(created.getId()).matches("[0-9a-f]{64}");
            List<Network> networks = docker.listNetworksCmd().exec();
            assertThat(networks).extracting(Network::getName).contains("bridge", "host", "none", name);
            Network mine = networks.stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
            assertThat(mine.getId()).isEqualTo(created.getId());
            assertThat(mine.getDriver()).isEqualTo("bridge");
            assertThat(mine.getIpam().getConfig()).extracting(Network.Ipam.Config::getSubnet).containsExactly(net + "0/24");
            assertThat(docker.inspectNetworkCmd().withNetworkId(name).exec().getLabels()).containsEntry("by", "docker-java");

            CreateContainerResponse container = docker.createContainerCmd("busybox").withName(pier.prefix + "-c")
                    .withCmd("sh", "-c", "echo ready; exec sleep 60")
                    .withHostConfig(HostConfig.newHostConfig().withNetworkMode(name)).exec();
            containerId = container.getId();
            assertThat(containerId).matches("[0-9a-f]{64}");
            docker.startContainerCmd(containerId).exec();

            InspectContainerResponse inspect = docker.inspectContainerCmd(containerId).exec();
            assertThat(inspect.getState().getRunning()).isTrue();
            assertThat(inspect.getName()).isEqualTo("/" + pier.prefix + "-c");
            ContainerNetwork endpoint = inspect.getNetworkSettings().getNetworks().get(name);
            assertThat(endpoint).isNotNull();
            assertThat(endpoint.getNetworkID()).isEqualTo(created.getId());
            assertThat(endpoint.getIpAddress()).startsWith(net).isNotEqualTo(net + "1");
            assertThat(endpoint.getGateway()).isEqualTo(net + "1");
            assertThat(docker.inspectNetworkCmd().withNetworkId(name).exec().getContainers()).containsKey(containerId);

            assertThat(logs(containerId)).isEqualTo("ready\n");
            // Docker's status codes come back as docker-java's exceptions.
            // A network in use: Docker's 403 (libnetwork's ActiveEndpointsError is "forbidden").
            assertThatThrownBy(() -> docker.removeNetworkCmd(name).exec()).isInstanceOfSatisfying(DockerException.class,
                    e -> assertThat(e.getHttpStatus()).isEqualTo(403));
            assertThatThrownBy(() -> docker.createContainerCmd("busybox").withName(pier.prefix + "-c").withCmd("true").exec())
                    .isInstanceOf(ConflictException.class);
            assertThatThrownBy(() -> docker.inspectContainerCmd(pier.prefix + "-nosuch").exec()).isInstanceOf(NotFoundException.class);

            docker.removeContainerCmd(containerId).withForce(true).exec();
            containerId = null;
            assertThatThrownBy(() -> docker.inspectContainerCmd(container.getId()).exec()).isInstanceOf(NotFoundException.class);
            docker.removeNetworkCmd(name).exec();
            assertThat(docker.listNetworksCmd().exec()).extracting(Network::getName).doesNotContain(name);
        } finally {
            if (containerId != null) pier.pier("rm", "-f", containerId);
            pier.pier("network", "rm", name);
        }
    }

    /** The container's output so far, through docker-java's frame decoder. */
    private static String logs(String id) throws InterruptedException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 30 && out.isEmpty(); i++) {
            ResultCallback.Adapter<Frame> callback = docker.logContainerCmd(id).withStdOut(true).withStdErr(true)
                    .exec(new ResultCallback.Adapter<>() {
                        @Override
                        public void onNext(Frame frame) {
                            out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    });
            callback.awaitCompletion(10, TimeUnit.SECONDS);
            if (out.isEmpty()) Thread.sleep(100);
        }
        return out.toString();
    }
}
