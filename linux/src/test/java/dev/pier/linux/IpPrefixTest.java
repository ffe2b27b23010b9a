package dev.pier.linux;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpPrefixTest {
    @Test
    void parsesAndPrintsBothFamilies() {
        assertThat(IpPrefix.parse("172.17.0.2/16").toString()).isEqualTo("172.17.0.2/16");
        assertThat(IpPrefix.parse("10.0.0.1").prefixLength()).isEqualTo(32);
        assertThat(IpPrefix.parse("fd00:0:0:0:0:0:0:2/64").toString()).isEqualTo("fd00::2/64");
        assertThat(IpPrefix.parse("2001:db8:0:1:0:0:0:1/48").toString()).isEqualTo("2001:db8:0:1::1/48");
        assertThat(IpPrefix.parse("::/0").toString()).isEqualTo("::/0");
        assertThat(IpPrefix.format(IpPrefix.parseAddress("fe80:0:0:1:0:0:0:0"))).isEqualTo("fe80:0:0:1::");
        assertThat(IpPrefix.format(IpPrefix.parseAddress("fe80:0:0:0:1:0:0:0"))).isEqualTo("fe80::1:0:0:0");
    }

    @Test
    void rejectsWhatIsNotALiteral() {
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.1/33")).hasMessageContaining("10.0.0.1/33");
        assertThatThrownBy(() -> IpPrefix.parse("example.com/24")).hasMessageContaining("example.com");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0/24")).hasMessageContaining("10.0.0");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.1/x")).hasMessageContaining("10.0.0.1/x");
        assertThatThrownBy(() -> IpPrefix.parseAddress("256.1.1.1")).hasMessageContaining("256.1.1.1");
        assertThatThrownBy(() -> IpPrefix.parseAddress("fd00::g")).hasMessageContaining("fd00::g");
    }

    @Test
    void macAddressesRoundTrip() {
        assertThat(MacAddress.parse("02:42:AC:11:00:02").toString()).isEqualTo("02:42:ac:11:00:02");
        assertThat(MacAddress.of(MacAddress.parse("02:42:ac:11:00:02").bytes())).isEqualTo(MacAddress.parse("02-42-ac-11-00-02"));
        assertThatThrownBy(() -> MacAddress.parse("02:42:ac")).hasMessageContaining("02:42:ac");
    }
}
