package dev.pier.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressPoolsTest {

    private static Subnet subnet(String cidr) {
        return Subnet.parse(cidr);
    }

    @Test
    void firstDefaultIsDockersBridgeSubnet() {
        assertThat(AddressPools.defaults().nextFree(List.of())).isEqualTo(subnet("172.17.0.0/16"));
    }

    @Test
    void walksTheDockerDefaultsInOrder() {
        AddressPools pools = AddressPools.defaults();
        List<Subnet> inUse = new ArrayList<>();
        for (int i = 0; i < 15 + 16; i++) {
            inUse.add(pools.nextFree(inUse));
        }
        List<String> expected = new ArrayList<>();
        for (int second = 17; second <= 31; second++) {
            expected.add("172." + second + ".0.0/16");
        }
        for (int third = 0; third < 256; third += 16) {
            expected.add("192.168." + third + ".0/20");
        }
        assertThat(inUse).extracting(Subnet::toString).containsExactlyElementsOf(expected);
        assertThatThrownBy(() -> pools.nextFree(inUse))
                .isInstanceOf(IpamException.class)
                .hasMessage("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network")
                .extracting(e -> ((IpamException) e).kind()).isEqualTo(IpamException.Kind.EXHAUSTED);
    }

    @Test
    void skipsHostRoutesAndPartialOverlaps() {
        AddressPools pools = AddressPools.defaults();
        // A host route inside 172.17/16 and one covering 172.18-19 make the first free 172.20/16.
        assertThat(pools.nextFree(List.of(subnet("172.17.5.0/24"), subnet("172.18.0.0/15")))).isEqualTo(subnet("172.20.0.0/16"));
        // A route bigger than several candidates is skipped in one step.
        assertThat(pools.nextFree(List.of(subnet("172.16.0.0/12")))).isEqualTo(subnet("192.168.0.0/20"));
        assertThat(pools.nextFree(List.of(subnet("172.16.0.0/12"), subnet("192.168.0.0/24"), subnet("192.168.40.0/21"))))
                .isEqualTo(subnet("192.168.16.0/20"));
    }

    @Test
    void ignoresDefaultRoutesAndOtherFamilies() {
        AddressPools pools = AddressPools.defaults();
        assertThat(pools.nextFree(List.of(subnet("0.0.0.0/0"), subnet("fd00::/8")))).isEqualTo(subnet("172.17.0.0/16"));
    }

    @Test
    void configuredPoolsReplaceTheDefaultsAndKeepTheirOrder() {
        AddressPools pools = AddressPools.of(List.of(AddressPool.of("10.10.0.0/16", 24), AddressPool.of("10.0.0.0/24", 26)), "");
        assertThat(pools.nextFree(List.of())).isEqualTo(subnet("10.10.0.0/24"));
        assertThat(pools.nextFree(List.of(subnet("10.10.0.0/24"), subnet("10.10.1.0/25")))).isEqualTo(subnet("10.10.2.0/24"));
        assertThat(pools.nextFree(List.of(subnet("10.10.0.0/16")))).isEqualTo(subnet("10.0.0.0/26"));
        assertThat(pools.nextFree(List.of(subnet("10.10.0.0/16"), subnet("10.0.0.0/26"), subnet("10.0.0.128/26"))))
                .isEqualTo(subnet("10.0.0.64/26"));
    }

    @Test
    void largePoolWithManyNetworksInUseIsNotScannedCandidateByCandidate() {
        AddressPools pools = AddressPools.exactly(List.of(AddressPool.of("10.0.0.0/8", 24)));
        List<Subnet> inUse = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            inUse.add(Subnet.of(IpAddresses.fromBigInteger(java.math.BigInteger.valueOf(0x0A000000L + ((long) i << 8)), IpFamily.IPV4), 24));
        }
        assertThat(pools.nextFree(inUse)).isEqualTo(Subnet.of(IpAddresses.parse("10.234.96.0"), 24));
    }

    @Test
    void ipv6UsesTheHostsUlaPoolLikeDocker() {
        // Docker's own test vector for an empty host ID.
        assertThat(AddressPools.ulaPool("").base()).isEqualTo(subnet("fd42:98fc:1c14::/48"));
        assertThat(AddressPools.ulaPool("499d4bc0-b0b3-416f-b1ee-cf6486315593").base()).isEqualTo(subnet("fd62:fb69:18af::/48"));
        AddressPools pools = AddressPools.of(List.of(), "");
        Subnet first = pools.nextFree(IpFamily.IPV6, List.of());
        assertThat(first).isEqualTo(subnet("fd42:98fc:1c14::/64"));
        assertThat(pools.nextFree(IpFamily.IPV6, List.of(first))).isEqualTo(subnet("fd42:98fc:1c14:1::/64"));
    }

    @Test
    void configuredIpv6PoolReplacesTheUlaDefault() {
        AddressPools pools = AddressPools.of(List.of(AddressPool.of("10.10.0.0/16", 24), AddressPool.of("2001:db8::/56", 64)), "x");
        assertThat(pools.pools()).hasSize(2);
        assertThat(pools.nextFree(IpFamily.IPV6, List.of(subnet("2001:db8::/64")))).isEqualTo(subnet("2001:db8:0:1::/64"));
    }

    @Test
    void poolSizeMustFitItsBase() {
        assertThatThrownBy(() -> AddressPool.of("10.10.0.0/16", 8))
                .isInstanceOf(IpamException.class)
                .hasMessage("invalid address pool {base: 10.10.0.0/16, size: 8}: size must be between 16 and 32");
        assertThatThrownBy(() -> AddressPool.of("10.10.0.0/16", 33)).isInstanceOf(IpamException.class);
        assertThatThrownBy(() -> AddressPool.of("10.10.0.0/66", 24)).hasMessage("invalid CIDR address: 10.10.0.0/66");
    }
}
