package dev.pier.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubnetTest {

    private static Subnet subnet(String cidr) {
        return Subnet.parse(cidr);
    }

    @Test
    void parsesIpv4AndIpv6() {
        Subnet v4 = subnet("172.17.0.0/16");
        assertThat(v4.family()).isEqualTo(IpFamily.IPV4);
        assertThat(v4.prefixLength()).isEqualTo(16);
        assertThat(v4).hasToString("172.17.0.0/16");

        Subnet v6 = subnet("FD00:0:0:1::/64");
        assertThat(v6.family()).isEqualTo(IpFamily.IPV6);
        assertThat(v6).hasToString("fd00:0:0:1::/64");
        assertThat(subnet("::/0")).hasToString("::/0");
        assertThat(subnet("0.0.0.0/0").size()).isEqualTo(BigInteger.ONE.shiftLeft(32));
    }

    @Test
    void hostBitsAreClearedLikeLibnetwork() {
        assertThat(subnet("172.17.0.5/16")).isEqualTo(subnet("172.17.0.0/16"));
        assertThat(subnet("fd00::1/64")).hasToString("fd00::/64");
    }

    @Test
    void parseCanonicalRefusesHostBitsLikeDocker25() {
        assertThat(Subnet.parseCanonical("10.0.0.0/8")).hasToString("10.0.0.0/8");
        assertThatThrownBy(() -> Subnet.parseCanonical("172.17.0.5/16"))
                .isInstanceOf(IpamException.class)
                .hasMessage("invalid subnet 172.17.0.5/16: it should be 172.17.0.0/16");
    }

    @ParameterizedTest
    @ValueSource(strings = {"172.17.0.0/33", "172.17.0.0", "172.17.0.0/", "/16", "172.17.0/16", "172.17.0.256/16",
        "172.17.0.0/16/1", "172.17.0.00/16", "172.17.0.0/016", "172.17.0.0/+16", "172.17.0.0/-1", " 172.17.0.0/16",
        "fd00::/129", "fd00:::/64", "fd00::1::/64", "fe80::1%eth0/64", "1.2.3.4::/64", "1:2:3:4:5:6:7:8:9/64",
        "12345::/64", "localhost/8", "", "10.0.0.0/1e1"})
    void malformedCidrsNameTheValue(String text) {
        assertThatThrownBy(() -> Subnet.parse(text))
                .isInstanceOf(IpamException.class)
                .hasMessage("invalid CIDR address: " + text)
                .extracting(e -> ((IpamException) e).kind()).isEqualTo(IpamException.Kind.INVALID);
    }

    @Test
    void containsAddressesAndSubnets() {
        Subnet net = subnet("10.1.0.0/16");
        assertThat(net.contains(IpAddresses.parse("10.1.255.255"))).isTrue();
        assertThat(net.contains(IpAddresses.parse("10.2.0.0"))).isFalse();
        assertThat(net.contains(IpAddresses.parse("::ffff:10.1.0.1"))).as("other family").isFalse();
        assertThat(net.contains(subnet("10.1.4.0/24"))).isTrue();
        assertThat(net.contains(subnet("10.0.0.0/8"))).isFalse();
        assertThat(net.contains(net)).isTrue();
        assertThat(subnet("fd00::/64").contains(IpAddresses.parse("fd00::ffff:1"))).isTrue();
        assertThat(subnet("fd00::/64").contains(IpAddresses.parse("fd00:0:0:1::"))).isFalse();
    }

    @Test
    void overlapsIsSymmetricAndFamilyAware() {
        Subnet a = subnet("10.1.0.0/16");
        assertThat(a.overlaps(subnet("10.0.0.0/8"))).isTrue();
        assertThat(subnet("10.0.0.0/8").overlaps(a)).isTrue();
        assertThat(a.overlaps(subnet("10.1.200.0/24"))).isTrue();
        assertThat(a.overlaps(subnet("10.2.0.0/16"))).isFalse();
        assertThat(subnet("0.0.0.0/0").overlaps(subnet("::/0"))).isFalse();
    }

    @Test
    void networkBroadcastSizeAndNthAddress() {
        Subnet net = subnet("192.168.16.0/20");
        assertThat(net.networkAddress()).isEqualTo(IpAddresses.parse("192.168.16.0"));
        assertThat(net.broadcastAddress()).isEqualTo(IpAddresses.parse("192.168.31.255"));
        assertThat(net.size()).isEqualTo(BigInteger.valueOf(4096));
        assertThat(net.addressAt(1)).isEqualTo(IpAddresses.parse("192.168.16.1"));
        assertThat(net.addressAt(256)).isEqualTo(IpAddresses.parse("192.168.17.0"));
        assertThat(net.offsetOf(IpAddresses.parse("192.168.17.0"))).isEqualTo(BigInteger.valueOf(256));
        assertThatThrownBy(() -> net.addressAt(4096)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> net.addressAt(-1)).isInstanceOf(IndexOutOfBoundsException.class);

        Subnet v6 = subnet("fd00::/64");
        assertThat(v6.size()).isEqualTo(BigInteger.ONE.shiftLeft(64));
        assertThat(v6.lastAddress()).isEqualTo(IpAddresses.parse("fd00::ffff:ffff:ffff:ffff"));
        assertThat(v6.addressAt(BigInteger.ONE.shiftLeft(32))).isEqualTo(IpAddresses.parse("fd00::1:0:0"));
        assertThat(v6.networkAddress()).isInstanceOf(Inet6Address.class);
        assertThatThrownBy(v6::broadcastAddress).isInstanceOf(UnsupportedOperationException.class);
        assertThat(subnet("10.0.0.7/32").size()).isEqualTo(BigInteger.ONE);
    }

    @Test
    void constructorRefusesHostBitsButOfMasksThem() {
        assertThatThrownBy(() -> new Subnet(IpAddresses.parse("10.0.0.1"), 24))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Subnet.of(IpAddresses.parse("10.0.0.1"), 24)).isEqualTo(subnet("10.0.0.0/24"));
        assertThat(Subnet.of(IpAddresses.parse("10.0.0.1"), 0)).hasToString("0.0.0.0/0");
    }

    @Test
    void sortsIpv4FirstThenByAddressThenPrefix() {
        List<Subnet> list = new ArrayList<>(List.of(subnet("fd00::/64"), subnet("10.0.0.0/16"), subnet("10.0.0.0/8"),
                subnet("9.0.0.0/8"), subnet("192.168.0.0/16")));
        Collections.sort(list);
        assertThat(list).extracting(Subnet::toString)
                .containsExactly("9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "192.168.0.0/16", "fd00::/64");
    }

    @Test
    void interfaceAddressKeepsHostBits() {
        InterfaceAddress bip = InterfaceAddress.parse("172.17.0.1/16");
        assertThat(bip.address()).isEqualTo(IpAddresses.parse("172.17.0.1"));
        assertThat(bip.subnet()).isEqualTo(subnet("172.17.0.0/16"));
        assertThat(bip).hasToString("172.17.0.1/16");
        assertThatThrownBy(() -> InterfaceAddress.parse("172.17.0.1"))
                .hasMessage("invalid CIDR address: 172.17.0.1");
    }
}
