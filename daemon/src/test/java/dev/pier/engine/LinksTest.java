package dev.pier.engine;

import dev.pier.firewall.Link;
import dev.pier.ports.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LinksTest {
    @Test
    void linksAsTheCliAndAsDockerWriteThem() {
        assertThat(ContainerService.links(List.of("db:database", "/cache:/web/memo", "queue")))
                .isEqualTo(Map.of("database", "db", "memo", "cache", "queue", "queue"));
        assertThat(ContainerService.links(List.of())).isEmpty();
    }

    @Test
    void linksAddedByAConnectJoinTheOthersAndReplaceASameAlias() {
        assertThat(Links.merged(List.of("db:database", "/cache:/web/memo"), List.of("db2:database", "queue")))
                .containsExactly("db2:database", "cache:memo", "queue:queue");
        assertThat(Links.merged(null, List.of("db:d"))).containsExactly("db:d");
    }

    @Test
    void aRenamedTargetKeepsEveryAliasAndOtherLinksStay() {
        assertThat(Links.renamed(List.of("db:database", "/db:/web/memo", "db", "queue:q"), "db", "store"))
                .containsExactly("store:database", "store:memo", "store:db", "queue:q");
        assertThat(Links.renamed(List.of("queue:q"), "db", "store")).isNull();
        assertThat(Links.renamed(List.of(), "db", "store")).isNull();
        assertThat(Links.renamed(null, "db", "store")).isNull();
    }

    @Test
    void oneTcpPortGivesDockersSixVariablesThenTheNameThenTheLinkedEnvironmentWithoutHomeAndPath() {
        assertThat(Links.environment("/web/db", "172.17.0.5", List.of("5432/tcp"),
                List.of("PATH=/usr/bin", "POSTGRES_DB=app", "HOME=/root", "EMPTY=", "NOVALUE")))
                .containsExactly(
                        "DB_PORT=tcp://172.17.0.5:5432",
                        "DB_PORT_5432_TCP=tcp://172.17.0.5:5432",
                        "DB_PORT_5432_TCP_ADDR=172.17.0.5",
                        "DB_PORT_5432_TCP_PORT=5432",
                        "DB_PORT_5432_TCP_PROTO=tcp",
                        "DB_NAME=/web/db",
                        "DB_ENV_POSTGRES_DB=app",
                        "DB_ENV_EMPTY=");
    }

    @Test
    void aliasIsUpperCasedWithDashesAsUnderscoresAndNoPortsMeansNoPortVariables() {
        assertThat(Links.environment("/front-end/my-db", "10.0.0.2", List.of(), List.of()))
                .containsExactly("MY_DB_NAME=/front-end/my-db");
    }

    @Test
    void tcpComesFirstAndTheLowestTcpPortIsThePortVariable() {
        List<String> env = Links.environment("/web/svc", "10.0.0.3", List.of("53/udp", "8080/tcp", "443/tcp"), List.of());
        assertThat(env.getFirst()).isEqualTo("SVC_PORT=tcp://10.0.0.3:443");
        assertThat(env).contains("SVC_PORT_53_UDP=udp://10.0.0.3:53", "SVC_PORT_53_UDP_PROTO=udp", "SVC_PORT_8080_TCP_PORT=8080");
        assertThat(env.indexOf("SVC_PORT_443_TCP=tcp://10.0.0.3:443")).isLessThan(env.indexOf("SVC_PORT_8080_TCP=tcp://10.0.0.3:8080"));
        assertThat(env.indexOf("SVC_PORT_8080_TCP=tcp://10.0.0.3:8080")).isLessThan(env.indexOf("SVC_PORT_53_UDP=udp://10.0.0.3:53"));
        assertThat(env).noneMatch(e -> e.contains("_START") || e.contains("_END"));
    }

    @Test
    void consecutivePortsOfOneProtocolAreAlsoDescribedAsARange() {
        List<String> env = Links.environment("/web/r", "10.0.0.4", List.of("7000/tcp", "7001/tcp", "7002/tcp", "9000/tcp", "7001/udp"), List.of());
        assertThat(env).contains(
                "R_PORT_7000_TCP_START=tcp://10.0.0.4:7000",
                "R_PORT_7000_TCP_PORT_START=7000",
                "R_PORT_7000_TCP_END=tcp://10.0.0.4:7002",
                "R_PORT_7000_TCP_PORT_END=7002");
        // The range is closed by the first port that does not continue it, after that port's own variables.
        assertThat(env.indexOf("R_PORT_7000_TCP_START=tcp://10.0.0.4:7000")).isGreaterThan(env.indexOf("R_PORT_9000_TCP_PROTO=tcp"));
        assertThat(env).noneMatch(e -> e.startsWith("R_PORT_9000_TCP_START") || e.startsWith("R_PORT_7001_UDP_START"));
        assertThat(env.stream().filter(e -> e.endsWith("_ADDR=10.0.0.4")).count()).isEqualTo(5);
    }

    @Test
    void aRangeThatEndsTheListIsClosedToo() {
        assertThat(Links.environment("/a/b", "10.0.0.5", List.of("80", "81"), List.of()))
                .contains("B_PORT=tcp://10.0.0.5:80", "B_PORT_80_TCP_START=tcp://10.0.0.5:80", "B_PORT_80_TCP_END=tcp://10.0.0.5:81");
    }

    @Test
    void hostsNamesAreTheAliasTheHostnameAndTheNameWithoutRepeats() {
        assertThat(Links.hostNames("database", "0123456789ab", "db")).containsExactly("database", "0123456789ab", "db");
        assertThat(Links.hostNames("db", "0123456789ab", "db")).containsExactly("db", "0123456789ab");
        assertThat(Links.hostNames("db", "db", "db")).containsExactly("db");
    }

    @Test
    void theFirewallOpensEachExposedPortOnceAndNothingForWhatIsNotAPort() {
        assertThat(Links.services(List.of("80/tcp", "53/udp", "80", "9/sctp", "7000-7002/tcp", "5/quic", "0/tcp")))
                .containsExactly(new Link.Service(Protocol.TCP, 80), new Link.Service(Protocol.UDP, 53), new Link.Service(Protocol.SCTP, 9));
        assertThat(Links.services(List.of())).isEmpty();
    }
}
