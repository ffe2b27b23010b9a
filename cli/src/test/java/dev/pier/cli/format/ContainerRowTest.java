package dev.pier.cli.format;

import dev.pier.cli.json.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pier ps} rows; the expected table is what docker 28 printed for the same daemon answer. */
class ContainerRowTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final long CREATED = NOW / 1000;

    private static final String CONTAINERS = """
            [{"Id":"8dfafdbc3a40c2a6b8d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3","Names":["/web"],"Image":"busybox",
              "ImageID":"sha256:aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999",
              "Command":"httpd -f -p 80 -h /www/very/long/path","Created":%d,
              "Ports":[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},
                       {"IP":"::","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},
                       {"PrivatePort":443,"Type":"tcp"},{"PrivatePort":444,"Type":"tcp"},
                       {"IP":"0.0.0.0","PrivatePort":53,"PublicPort":53,"Type":"udp"}],
              "Labels":{"b":"2","a":"1"},"State":"running","Status":"Up 2 minutes",
              "NetworkSettings":{"Networks":{"bridge":{},"app":{"IPAddress":"172.18.0.2"}}},"Mounts":[]},
             {"Id":"1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef","Names":["/old","/web/link"],
              "Image":"sha256:aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999",
              "ImageID":"sha256:aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999",
              "Command":"sh","Created":%d,"Ports":[],"Labels":{},"State":"exited","Status":"Exited (0) 2 days ago",
              "NetworkSettings":{"Networks":{}},"Mounts":[]}]
            """.formatted(CREATED - 125, CREATED - 7200 * 30);

    private static List<ContainerRow> rows(boolean truncate) throws Exception {
        List<ContainerRow> rows = new ArrayList<>();
        for (Object c : Json.array(Json.parse(CONTAINERS))) {
            rows.add(new ContainerRow(Json.object(c), truncate, NOW));
        }
        return rows;
    }

    @Test
    void defaultTableMatchesDocker() throws Exception {
        assertThat(ListFormatter.render(ContainerRow.DEFAULT_TABLE, rows(true), ContainerRow.header())).isEqualTo(
                "CONTAINER ID   IMAGE          COMMAND                  CREATED         STATUS                  PORTS"
                        + "                                                                      NAMES\n"
                        + "8dfafdbc3a40   busybox        \"httpd -f -p 80 -h /…\"   2 minutes ago   Up 2 minutes            "
                        + "0.0.0.0:53->53/udp, 443-444/tcp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp   web\n"
                        + "1234567890ab   aaaabbbbcccc   \"sh\"                     2 days ago      Exited (0) 2 days ago   "
                        + "                                                                           old\n");
    }

    @Test
    void noTruncKeepsEverything() throws Exception {
        List<ContainerRow> rows = rows(false);
        assertThat(rows.get(0).field("Command")).isEqualTo("\"httpd -f -p 80 -h /www/very/long/path\"");
        assertThat(rows.get(0).field("ID")).isEqualTo("8dfafdbc3a40c2a6b8d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3");
        assertThat(rows.get(1).field("Names")).isEqualTo("old,web/link");
        assertThat(rows.get(1).field("Image")).isEqualTo("sha256:aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999");
    }

    @Test
    void fieldsOfTheFormatterContext() throws Exception {
        ContainerRow web = rows(true).get(0);
        assertThat(web.field("Names")).isEqualTo("web");
        assertThat(web.field("Labels")).isEqualTo("a=1,b=2");
        assertThat(web.method("Label", List.of("a"))).isEqualTo("1");
        assertThat(web.field("Networks")).isEqualTo("app,bridge");
        assertThat(web.field("RunningFor")).isEqualTo("2 minutes ago");
        assertThat(web.field("State")).isEqualTo("running");
        assertThat(web.field("Size")).isEqualTo("0B");
        assertThat(web.field("Nope")).isSameAs(FieldContext.UNKNOWN);
    }

    @Test
    void commandQuotingAndTruncation() throws Exception {
        ContainerRow row = new ContainerRow(Json.object(Json.parse(
                "{\"Command\":\"sh -c \\\"echo hi\\\"\\tand a much longer tail\"}")), true, NOW);
        assertThat(row.field("Command")).isEqualTo("\"sh -c \\\"echo hi\\\"\\tand…\"");
    }

    @Test
    void portsGroupRangesAndShowMappings() throws Exception {
        List<Object> ports = Json.array(Json.parse("""
                [{"PrivatePort":8001,"Type":"udp"},{"PrivatePort":8000,"Type":"udp"},{"PrivatePort":8003,"Type":"udp"},
                 {"IP":"127.0.0.1","PrivatePort":9000,"PublicPort":9000,"Type":"tcp"},
                 {"IP":"127.0.0.1","PrivatePort":9001,"PublicPort":9001,"Type":"tcp"},
                 {"IP":"0.0.0.0","PrivatePort":22,"PublicPort":2222,"Type":"tcp"}]
                """));
        assertThat(ContainerRow.displayablePorts(ports))
                .isEqualTo("8000-8001/udp, 8003/udp, 127.0.0.1:9000-9001->9000-9001/tcp, 0.0.0.0:2222->22/tcp");
        assertThat(ContainerRow.displayablePorts(List.of())).isEmpty();
    }
}
