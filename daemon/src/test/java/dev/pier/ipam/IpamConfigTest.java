package dev.pier.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IpamConfigTest {

    private static IpamException failure(Runnable r) {
        try {
            r.run();
        } catch (IpamException e) {
            return e;
        }
        throw new AssertionError("expected an IpamException");
    }

    @Test
    void defaultsAreWholeSubnetAndFirstUsableGateway() {
        IpamConfig c = IpamConfig.parse("172.18.0.0/16", null, null, null);
        assertThat(c.ipRange()).isEqualTo(c.subnet());
        assertThat(c.gateway()).isEqualTo(IpAddresses.parse("172.18.0.1"));
        assertThat(c.auxAddresses()).isEmpty();
        assertThat(IpamConfig.parse("fd00:1::/64", "", "", Map.of()).gateway()).isEqualTo(IpAddresses.parse("fd00:1::1"));
    }

    @Test
    void defaultGatewayIsTheFirstUsableAddressOfTheRange() {
        assertThat(IpamConfig.parse("10.0.0.0/16", "10.0.5.0/24", null, null).gateway()).isEqualTo(IpAddresses.parse("10.0.5.0"));
        assertThat(IpamConfig.parse("10.0.0.0/16", "10.0.0.0/24", null, null).gateway()).isEqualTo(IpAddresses.parse("10.0.0.1"));
        assertThat(IpamConfig.parse("10.0.0.0/24", null, null, Map.of("router", "10.0.0.1")).gateway())
                .isEqualTo(IpAddresses.parse("10.0.0.2"));
        assertThat(IpamConfig.parse("10.0.0.0/31", null, null, null).gateway()).isEqualTo(IpAddresses.parse("10.0.0.0"));
    }

    @Test
    void explicitGatewayMayBeOutsideTheRange() {
        IpamConfig c = IpamConfig.parse("172.28.0.0/16", "172.28.5.0/24", "172.28.5.254", Map.of("host1", "172.28.1.5"));
        assertThat(c.gateway()).isEqualTo(IpAddresses.parse("172.28.5.254"));
        assertThat(c.auxAddresses()).containsEntry("host1", IpAddresses.parse("172.28.1.5"));
        assertThat(IpamConfig.parse("172.28.0.0/16", "172.28.5.0/24", "172.28.0.1", null).gateway())
                .isEqualTo(IpAddresses.parse("172.28.0.1"));
    }

    @Test
    void rangeMustBeInsideTheSubnet() {
        assertThat(failure(() -> IpamConfig.parse("10.0.0.0/16", "10.1.0.0/24", null, null)))
                .hasMessage("no matching subnet for range 10.1.0.0/24");
        assertThat(failure(() -> IpamConfig.parse("10.0.0.0/16", "10.0.0.0/8", null, null)))
                .hasMessage("no matching subnet for range 10.0.0.0/8");
        assertThat(failure(() -> IpamConfig.parse("10.0.0.0/16", "fd00::/64", null, null)))
                .hasMessage("no matching subnet for range fd00::/64");
        assertThat(failure(() -> IpamConfig.parse("10.0.0.0/16", "10.0.0.0/40", null, null)))
                .hasMessage("invalid CIDR address: 10.0.0.0/40");
    }

    @Test
    void gatewayMustBeAUsableAddressOfTheSubnet() {
        assertThat(failure(() -> IpamConfig.parse("10.1.0.0/16", null, "10.0.0.1", null)))
                .hasMessage("no matching subnet for gateway 10.0.0.1");
        assertThat(failure(() -> IpamConfig.parse("10.1.0.0/16", null, "fd00::1", null)))
                .hasMessage("no matching subnet for gateway fd00::1");
        IpamException networkAddress = failure(() -> IpamConfig.parse("10.1.0.0/16", null, "10.1.0.0", null));
        assertThat(networkAddress).hasMessage("failed to allocate gateway (10.1.0.0): Address already in use");
        assertThat(networkAddress.kind()).isEqualTo(IpamException.Kind.CONFLICT);
        assertThat(failure(() -> IpamConfig.parse("10.1.0.0/16", null, "10.1.255.255", null)))
                .hasMessage("failed to allocate gateway (10.1.255.255): Address already in use");
        assertThat(failure(() -> IpamConfig.parse("10.1.0.0/16", null, "10.1.0.300", null)))
                .hasMessage("invalid gateway 10.1.0.300: invalid address");
    }

    @Test
    void auxAddressesMustBeDistinctUsableAddressesOfTheSubnet() {
        assertThat(failure(() -> IpamConfig.parse("10.1.0.0/16", null, null, Map.of("a", "10.2.0.5"))))
                .hasMessage("no matching subnet for aux-address 10.2.0.5");
        assertThat(failure(() -> IpamConfig.parse("10.1.0.0/16", null, "10.1.0.1", Map.of("a", "10.1.0.1"))))
                .hasMessage("failed to allocate secondary ip address (a:10.1.0.1): Address already in use");
        Map<String, String> twice = new LinkedHashMap<>();
        twice.put("a", "10.1.0.7");
        twice.put("b", "10.1.0.7");
        assertThat(failure(() -> IpamConfig.parse("10.1.0.0/16", null, null, twice)))
                .hasMessage("failed to allocate secondary ip address (b:10.1.0.7): Address already in use");
        assertThat(failure(() -> IpamConfig.parse("10.1.0.0/16", null, null, Map.of("a", "nope"))))
                .hasMessage("invalid auxiliary address a (nope): invalid address");
        assertThat(failure(() -> IpamConfig.parse("10.1.0.0/16", null, null, Map.of("", "10.1.0.9"))))
                .hasMessage("invalid auxiliary address: empty name for 10.1.0.9");
    }

    @Test
    void subnetIsRequiredAndValidated() {
        assertThat(failure(() -> IpamConfig.parse("172.17.0.0/33", null, null, null)))
                .hasMessage("invalid CIDR address: 172.17.0.0/33");
        assertThat(failure(() -> IpamConfig.parse(null, null, null, null))).hasMessage("invalid CIDR address: null");
    }

    @Test
    void ofUsesDefaults() {
        IpamConfig c = IpamConfig.of(Subnet.parse("192.168.0.0/20"));
        assertThat(c).isEqualTo(IpamConfig.parse("192.168.0.0/20", null, "192.168.0.1", null));
        assertThat(c.family()).isEqualTo(IpFamily.IPV4);
        assertThatThrownBy(() -> c.auxAddresses().put("x", IpAddresses.parse("192.168.0.9")))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
