package dev.pier.cli.json;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void readsTheTreeKeepingKeyOrder() throws Exception {
        Object tree = Json.parse("{\"b\":1,\"a\":[true,false,null,\"x\"],\"c\":{\"d\":-2.5e3,\"e\":{}},\"f\":[]}");
        Map<String, Object> map = Json.object(tree);
        assertThat(map.keySet()).containsExactly("b", "a", "c", "f");
        assertThat(map.get("b")).isEqualTo(1L);
        assertThat(Json.array(map.get("a"))).containsExactly(true, false, null, "x");
        assertThat(Json.object(map.get("c")).get("d")).isEqualTo(-2500.0);
        assertThat(Json.object(map.get("c")).get("e")).isEqualTo(Map.of());
        assertThat(map.get("f")).isEqualTo(List.of());
    }

    @Test
    void stringsEscapesAndUnicode() throws Exception {
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\u2026\\ud83d\\ude00 é\"")).isEqualTo("a\"b\\c/d\n\té…😀 é");
        assertThat(Json.parse("\"\\ud83d alone\"")).isEqualTo("\uFFFD alone");
    }

    @Test
    void bigNumbers() throws Exception {
        assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(Json.parse("92233720368547758070")).isEqualTo(new BigInteger("92233720368547758070"));
    }

    @Test
    void malformedDocumentsAreRefused() {
        assertThatThrownBy(() -> Json.parse("{\"a\":}")).hasMessageContaining("invalid JSON");
        assertThatThrownBy(() -> Json.parse("[1,2")).hasMessageContaining("unexpected end of input");
        assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("after the JSON document");
        assertThatThrownBy(() -> Json.parse("01")).hasMessageContaining("invalid");
        assertThatThrownBy(() -> Json.parse("\"a\nb\"")).hasMessageContaining("control character");
        assertThatThrownBy(() -> Json.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Json.parse("[".repeat(2000))).hasMessageContaining("nesting");
    }

    @Test
    void streamOfConcatenatedDocuments() throws Exception {
        JsonReader reader = new JsonReader(new ByteArrayInputStream(
                "{\"status\":\"a\"}\r\n{\"stream\":\"Loaded image: x\\n\"}{\"id\":1}\n".getBytes(StandardCharsets.UTF_8)));
        List<Object> values = new ArrayList<>();
        while (reader.hasNext()) {
            values.add(reader.next());
        }
        assertThat(values).containsExactly(Map.of("status", "a"), Map.of("stream", "Loaded image: x\n"), Map.of("id", 1L));
    }

    @Test
    void writesLikeGo() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "<a&b>\"\n\u0001\u2028");
        value.put("n", 42L);
        value.put("f", 1.5);
        value.put("big", 1e21);
        value.put("small", 1e-7);
        value.put("l", List.of(true, "x"));
        value.put("z", null);
        assertThat(Json.write(value, false)).isEqualTo(
                "{\"s\":\"<a&b>\\\"\\n\\u0001\\u2028\",\"n\":42,\"f\":1.5,\"big\":1e+21,\"small\":1e-7,\"l\":[true,\"x\"],\"z\":null}");
        assertThat(Json.write("<a&b>", true)).isEqualTo("\"\\u003ca\\u0026b\\u003e\"");
        assertThat(Json.write(123456789.0, false)).isEqualTo("123456789");
        assertThat(Json.write(0.000001, false)).isEqualTo("0.000001");
    }

    @Test
    void indentsRawBytesLikeDockerInspect() {
        String raw = "{\"Id\":\"8dfa\",\"Config\":{\"Env\":[\"A=1\",\"B=<x>\"],\"Labels\":{},\"Cmd\":null,\"Entrypoint\":[]},"
                + "\"Ratio\":1.5,\"Big\":1e+21, \"Esc\":\"a\\\"b\\u003c\"}\n";
        assertThat(JsonIndent.array(List.of(raw.getBytes(StandardCharsets.UTF_8)), "    ")).isEqualTo("""
                [
                    {
                        "Id": "8dfa",
                        "Config": {
                            "Env": [
                                "A=1",
                                "B=<x>"
                            ],
                            "Labels": {},
                            "Cmd": null,
                            "Entrypoint": []
                        },
                        "Ratio": 1.5,
                        "Big": 1e+21,
                        "Esc": "a\\"b\\u003c"
                    }
                ]""");
        assertThat(JsonIndent.array(List.of(), "    ")).isEqualTo("[]");
        assertThat(JsonIndent.array(List.of("{}".getBytes(StandardCharsets.UTF_8), "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                "    ")).isEqualTo("[\n    {},\n    {\n        \"a\": 1\n    }\n]");
    }

    @Test
    void floatDigits() {
        assertThat(FloatDigits.shortest(123.45)).isEqualTo(new FloatDigits("12345", 3));
        assertThat(FloatDigits.shortest(0.001)).isEqualTo(new FloatDigits("1", -2));
        assertThat(FloatDigits.exact(0.5)).isEqualTo(new FloatDigits("5", 0));
        assertThat(FloatDigits.exact(999.5).roundTo(3)).isEqualTo(new FloatDigits("1", 4));
        assertThat(FloatDigits.exact(0.125).roundTo(2)).isEqualTo(new FloatDigits("12", 0));
        assertThat(FloatDigits.exact(4.26155).roundTo(3)).isEqualTo(new FloatDigits("426", 1));
    }
}
