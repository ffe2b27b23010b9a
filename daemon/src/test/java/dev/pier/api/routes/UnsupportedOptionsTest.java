package dev.pier.api.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pier.api.ApiException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnsupportedOptionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What Docker's CLI 20.10 sends for a plain `docker run busybox`: every option at its empty value. */
    private static final String DEFAULTS = """
            {"Image":"busybox","Volumes":{},"HostConfig":{"Binds":null,"NetworkMode":"default","PortBindings":{},
             "VolumesFrom":null,"CapAdd":null,"Dns":[],"IpcMode":"","PidMode":"","Privileged":false,"ReadonlyRootfs":false,
             "SecurityOpt":null,"UTSMode":"","ShmSize":0,"CpuShares":0,"Memory":0,"NanoCpus":0,"CpusetCpus":"",
             "Devices":[],"Ulimits":null,"CpuQuota":0,"CpuPeriod":0,"PidsLimit":null,"Init":null,"MemoryReservation":0,
             "Mounts":null,"Tmpfs":null}}""";

    @Test
    void emptyValuesPassAndAnyAskedOneIsA400NamingItsFlag() throws Exception {
        assertThatCode(() -> UnsupportedOptions.check(JSON.readTree(DEFAULTS))).doesNotThrowAnyException();
        assertThatCode(() -> UnsupportedOptions.check(JSON.readTree("{\"Image\":\"busybox\"}"))).doesNotThrowAnyException();
        assertThatCode(() -> UnsupportedOptions.check(JSON.readTree("{\"HostConfig\":{\"IpcMode\":\"private\"}}"))).doesNotThrowAnyException();
        String[][] asked = {
                {"\"Binds\":[\"/tmp:/data\"]", "-v, --volume (HostConfig.Binds)"},
                {"\"Memory\":67108864", "--memory (HostConfig.Memory)"},
                {"\"NanoCpus\":500000000", "--cpus (HostConfig.NanoCpus)"},
                {"\"PidMode\":\"host\"", "--pid (HostConfig.PidMode)"},
                {"\"IpcMode\":\"host\"", "--ipc (HostConfig.IpcMode)"},
                {"\"ReadonlyRootfs\":true", "--read-only (HostConfig.ReadonlyRootfs)"},
                {"\"Tmpfs\":{\"/run\":\"\"}", "--tmpfs (HostConfig.Tmpfs)"},
                {"\"Init\":true", "--init (HostConfig.Init)"},
                {"\"PidsLimit\":100", "--pids-limit (HostConfig.PidsLimit)"}};
        for (String[] a : asked) {
            assertThatThrownBy(() -> UnsupportedOptions.check(JSON.readTree("{\"HostConfig\":{" + a[0] + "}}"))).as(a[0])
                    .isInstanceOf(ApiException.class).hasMessage("Pier does not support " + a[1]);
        }
        assertThatThrownBy(() -> UnsupportedOptions.check(JSON.readTree("{\"Volumes\":{\"/data\":{}}}")))
                .hasMessage("Pier does not support -v, --volume (Volumes)");
    }
}
