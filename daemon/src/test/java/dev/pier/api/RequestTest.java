package dev.pier.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestTest {

    private static Request request(Map<String, List<String>> query, Map<String, String> headers, String body) {
        return new Request("POST", "/containers/create", Map.of(), query, headers,
                new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), "1.41");
    }

    @Test
    void queryBoolFollowsDockerTruthiness() {
        Request request = request(Map.of(
                "a", List.of("1"), "b", List.of("true"), "c", List.of("True"), "d", List.of("yes"),
                "e", List.of("0"), "f", List.of("false"), "g", List.of(""), "h", List.of("no"), "i", List.of(" NONE ")),
                Map.of(), "");
        for (String name : List.of("a", "b", "c", "d")) {
            assertThat(request.queryBool(name)).as(name).isTrue();
        }
        for (String name : List.of("e", "f", "g", "h", "i", "absent")) {
            assertThat(request.queryBool(name)).as(name).isFalse();
        }
        assertThat(request.queryBool("absent", true)).isTrue();
        assertThat(request.queryBool("g", true)).isFalse();
    }

    @Test
    void queryValues() {
        Request request = request(Map.of("tail", List.of("100"), "t", List.of("abc"), "x", List.of("1", "2"),
                "empty", List.of("")), Map.of(), "");
        assertThat(request.queryInt("tail", -1)).isEqualTo(100);
        assertThat(request.queryInt("absent", -1)).isEqualTo(-1);
        assertThat(request.queryInt("empty", 7)).isEqualTo(7);
        assertThat(request.query("x")).hasValue("1");
        assertThat(request.queryAll("x")).containsExactly("1", "2");
        assertThat(request.query("absent")).isEmpty();
        assertThatThrownBy(() -> request.queryInt("t", 0))
                .isInstanceOf(ApiException.class)
                .hasMessage("invalid value for query parameter t: \"abc\" is not an integer")
                .extracting(e -> ((ApiException) e).status()).isEqualTo(400);
    }

    @Test
    void bodyJsonAcceptsMissingOrJsonContentTypeOnly() throws Exception {
        record Config(String image, List<String> cmd) {
        }
        Config noType = request(Map.of(), Map.of(), "{\"Image\":\"busybox\",\"Cmd\":[\"sh\"],\"Unknown\":1}").bodyJson(Config.class);
        assertThat(noType).isEqualTo(new Config("busybox", List.of("sh")));
        assertThat(request(Map.of(), Map.of("content-type", "application/json; charset=utf-8"), "{}").bodyJson(Config.class))
                .isEqualTo(new Config(null, null));
        assertThatThrownBy(() -> request(Map.of(), Map.of("content-type", "text/plain"), "{}").bodyJson(Config.class))
                .isInstanceOf(ApiException.class).hasMessageContaining("must be 'application/json'");
        assertThatThrownBy(() -> request(Map.of(), Map.of(), "{bad").bodyJson(Config.class))
                .isInstanceOf(ApiException.class).hasMessageStartingWith("invalid JSON: ");
        assertThatThrownBy(() -> request(Map.of(), Map.of(), "").bodyJson(Config.class))
                .isInstanceOf(ApiException.class).hasMessage("invalid JSON: EOF");
    }

    @Test
    void bodyBytesHonoursItsLimit() throws Exception {
        assertThat(request(Map.of(), Map.of(), "12345").bodyBytes(5)).hasSize(5);
        assertThatThrownBy(() -> request(Map.of(), Map.of(), "123456").bodyBytes(5))
                .isInstanceOf(ApiException.class).extracting(e -> ((ApiException) e).status()).isEqualTo(413);
    }

    @Test
    void headersAndVersions() {
        Request request = request(Map.of(), Map.of("upgrade", "tcp", "x-registry-auth", "e30="), "");
        assertThat(request.header("X-Registry-Auth")).hasValue("e30=");
        assertThat(request.wantsUpgrade()).isTrue();
        assertThat(request.apiVersionAtLeast("1.41")).isTrue();
        assertThat(request.apiVersionAtLeast("1.42")).isFalse();
        assertThat(request.client().gone()).isFalse();
        assertThatThrownBy(() -> request.pathParam("id")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void apiVersionsCompareNumerically() {
        assertThat(ApiVersion.parse("1.41")).isGreaterThan(ApiVersion.parse("1.5"));
        assertThat(ApiVersion.parse("1")).isEqualTo(new ApiVersion(1, 0));
        assertThat(ApiVersion.MAX.toString()).isEqualTo("1.47");
        assertThatThrownBy(() -> ApiVersion.parse("1.x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiVersion.parse("..")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void responsesValidateThemselves() {
        assertThatThrownBy(() -> new Response.Empty(99)).hasMessageContaining("100-599");
        assertThatThrownBy(() -> new Response.Hijack(204, Response.RAW_STREAM, (in, out) -> { }))
                .hasMessageContaining("101 or 200");
        assertThatThrownBy(() -> new Response.Text(200, " ", new byte[0])).hasMessageContaining("content type");
        assertThatThrownBy(() -> new ApiException(200, "fine")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Response.hijack(request(Map.of(), Map.of(), ""), Response.RAW_STREAM, (in, out) -> { }).status())
                .isEqualTo(200);
    }

    @Test
    void jsonKeepsNullsAndErrorBodiesAreEscaped() {
        record Wire(String name, String gateway) {
        }
        assertThat(new String(Json.write(new Wire("n", null)), StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"n\",\"gateway\":null}");
        assertThat(new String(Dispatcher.errorJson("bad \"quote\"\n"), StandardCharsets.UTF_8))
                .isEqualTo("{\"message\":\"bad \\\"quote\\\"\\n\"}");
    }
}
