package dev.pier.api.routes;

import dev.pier.api.ApiException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContainerFiltersTest {
    private static Filters filters(String json) {
        return Filters.parse(json, ContainerFilters.KEYS);
    }

    @Test
    void portsAreTcpUnlessToldAndRangesExpand() {
        assertThat(ContainerFilters.ports(filters("{\"publish\":[\"80\",\"53/UDP\",\"8000-8002/sctp\"]}"), "publish"))
                .containsExactlyInAnyOrder("80/tcp", "53/udp", "8000/sctp", "8001/sctp", "8002/sctp");
        assertThat(ContainerFilters.ports(filters("{}"), "publish")).isNull();
    }

    @Test
    void whatDockerRefusesIsA400() {
        for (String bad : new String[]{"{\"publish\":[\"8080:80\"]}", "{\"expose\":[\"x\"]}", "{\"expose\":[\"90-80\"]}",
                "{\"status\":[\"sleeping\"]}", "{\"health\":[\"fine\"]}", "{\"is-task\":[\"maybe\"]}", "{\"mood\":[\"x\"]}"}) {
            assertThatThrownBy(() -> ContainerFilters.of(filters(bad), null)).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
        assertThatThrownBy(() -> ContainerFilters.of(filters("{\"publish\":[\"8080:80\"]}"), null))
                .hasMessage("filter for 'publish' should not contain ':': 8080:80");
    }
}
