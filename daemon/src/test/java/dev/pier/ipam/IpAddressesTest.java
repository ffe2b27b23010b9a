package dev.pier.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IpAddressesTest {

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "::, ::",
        "::1, ::1",
        "FD00:0:0:0:0:0:0:1, fd00::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0db8:0000:0000:0000:ff00:0042:8329, 2001:db8::ff00:42:8329",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
        "::ffff:10.0.0.1, ::ffff:10.0.0.1",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
    })
    void parsesAndFormatsCanonically(String input, String canonical) {
        assertThat(IpAddresses.format(IpAddresses.parse(input))).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", "1.2.3.-1", "10.1", "0x1.2.3.4",
        "localhost", "example.com", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "12345::", "\u0663::1", "\uFF11.2.3.4",
        "fe80::1%eth0", "[::1]", "::1.2.3", "g::1", "1.2.3.4::", " 1.2.3.4", "1.2.3.4 "})
    void rejectsAnythingButStrictLiterals(String input) {
        assertThat(IpAddresses.tryParse(input)).isEmpty();
        assertThatThrownBy(() -> IpAddresses.parse(input))
                .isInstanceOf(IpamException.class)
                .hasMessage("invalid IP address: " + input);
    }

    @Test
    void familyFollowsTheTextNotJavasMappedAddressRule() {
        assertThat(IpAddresses.parse("10.0.0.1")).isInstanceOf(Inet4Address.class);
        assertThat(IpAddresses.parse("::ffff:10.0.0.1")).isInstanceOf(Inet6Address.class);
        assertThat(IpAddresses.family(IpAddresses.parse("::ffff:10.0.0.1"))).isEqualTo(IpFamily.IPV6);
    }

    @Test
    void bigIntegerRoundTrip() {
        var address = IpAddresses.parse("fd00::ffff:ffff:ffff:ffff");
        BigInteger value = IpAddresses.toBigInteger(address);
        assertThat(IpAddresses.fromBigInteger(value, IpFamily.IPV6)).isEqualTo(address);
        assertThat(IpAddresses.fromBigInteger(BigInteger.valueOf(0xC0A80001L), IpFamily.IPV4))
                .isEqualTo(IpAddresses.parse("192.168.0.1"));
        assertThatThrownBy(() -> IpAddresses.fromBigInteger(BigInteger.ONE.shiftLeft(32), IpFamily.IPV4))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
