package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input fails with a clear message and leaves nothing behind. */
class BadInputTest {
    static Pier pier;

    @BeforeAll
    static void start() throws Exception {
        pier = new Pier();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pier != null) pier.close();
    }

    private void assertNothingLeft() {
        assertThat(pier.pier("ps", "-aq").ok().out().strip()).isEmpty();
        assertThat(pier.leftovers()).isEmpty();
    }

    @Test
    void unknownImage() {
        Pier.Result r = pier.pier("run", "--rm", "nosuchimage:1", "true");
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.err()).contains("nosuchimage:1");
        assertNothingLeft();
    }

    @Test
    void unknownNetworkMode() {
        Pier.Result r = pier.pier("run", "--rm", "--network", "nosuchnet", "busybox", "true");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("network nosuchnet not found");
        assertNothingLeft();
    }

    @Test
    void nameConflict() {
        String id = pier.pier("run", "-d", "--name", "taken", "busybox", "sleep", "60").ok().out().strip();
        try {
            Pier.Result r = pier.pier("run", "-d", "--name", "taken", "busybox", "sleep", "60");
            assertThat(r.exit()).isEqualTo(125);
            assertThat(r.err()).contains("is already in use by container").contains(id);
            assertThat(pier.pier("ps", "-aq").ok().out().strip().split("\\s+")).hasSize(1);
        } finally {
            pier.pier("rm", "-f", id).ok();
        }
        assertNothingLeft();
    }

    @Test
    void volumesAreRefusedNotIgnored() {
        Pier.Result r = pier.pier("run", "--rm", "-v", "/tmp:/data", "busybox", "ls", "/data");
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.err()).contains("Pier does not support -v, --volume (HostConfig.Binds)");
        assertNothingLeft();
    }

    @Test
    void aMulticastMacAddressIsRefusedClearly() {
        Pier.Result r = pier.pier("run", "--rm", "--mac-address", "01:00:5e:00:00:01", "busybox", "true");
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.err()).contains("01:00:5e:00:00:01 is a multicast mac address");
        assertNothingLeft();
    }

    @Test
    void missingCommandAndMissingContainer() {
        assertThat(pier.pier("stop", "nosuchcontainer").err()).contains("No such container: nosuchcontainer");
        Pier.Result r = pier.pier("run", "--rm", "busybox", "/no/such/binary");
        assertThat(r.exit()).isNotZero();
        assertNothingLeft();
    }
}
