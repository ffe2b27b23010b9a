package dev.pier.cli.format;

import dev.pier.cli.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateTest {
    private static final String CONTAINER = """
            {"Id":"8dfa","Name":"/web","State":{"Status":"running","Pid":1234,"Running":true,"Health":null},
             "Config":{"Env":["A=1","B=2"],"Cmd":null,"Labels":{"b":"2","a":"1"},"Tty":false},
             "NetworkSettings":{"Networks":{"app":{"IPAddress":"172.18.0.2","Aliases":["web","w"]},
                                            "bridge":{"IPAddress":"172.17.0.3","Aliases":null}},
                                "Ports":{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}],"443/tcp":null}},
             "Ratio":1.5,"Count":0,"Empty":"","List":[],"Word":"hello world"}
            """;

    private static Object data() throws IOException {
        return Json.parse(CONTAINER);
    }

    private static String run(String template) throws Exception {
        return Template.parse(template).execute(data());
    }

    @Test
    void fieldsChainsAndDot() throws Exception {
        assertThat(run("{{.Name}} {{.State.Status}} {{.State.Pid}}")).isEqualTo("/web running 1234");
        assertThat(Template.parse("{{.}}").execute("plain")).isEqualTo("plain");
        assertThat(run("{{.State.Running}} {{.Ratio}}")).isEqualTo("true 1.5");
    }

    @Test
    void missingKeysPrintNoValueAndChainThrough() throws Exception {
        assertThat(run("{{.Nope}}|{{.Nope.Deeper}}|{{.State.Nope}}")).isEqualTo("<no value>|<no value>|<no value>");
    }

    @Test
    void nullPrintsNoValueButCannotBeChained() throws Exception {
        assertThat(run("{{.Config.Cmd}}")).isEqualTo("<no value>");
        assertThatThrownBy(() -> run("{{.State.Health.Status}}"))
                .isInstanceOf(TemplateException.class)
                // Go positions a chained field node at its second element (.Health), as docker inspect shows
                .hasMessage("template: :1:8: executing \"\" at <.State.Health.Status>: nil pointer evaluating interface {}.Status");
    }

    @Test
    void fieldOfAStringIsAnError() {
        assertThatThrownBy(() -> run("{{.Name.X}}"))
                .hasMessage("template: :1:7: executing \"\" at <.Name.X>: can't evaluate field X in type interface {}");
    }

    @Test
    void mapsAndListsPrintLikeGo() throws Exception {
        assertThat(run("{{.Config.Env}}")).isEqualTo("[A=1 B=2]");
        assertThat(run("{{.Config.Labels}}")).isEqualTo("map[a:1 b:2]");
        assertThat(run("{{.NetworkSettings.Ports}}")).isEqualTo("map[443/tcp:<nil> 80/tcp:[map[HostIp:0.0.0.0 HostPort:8080]]]");
    }

    @Test
    void rangeOverListWithAndWithoutVariables() throws Exception {
        assertThat(run("{{range .Config.Env}}[{{.}}]{{end}}")).isEqualTo("[A=1][B=2]");
        assertThat(run("{{range $i, $e := .Config.Env}}{{$i}}={{$e}} {{end}}")).isEqualTo("0=A=1 1=B=2 ");
        assertThat(run("{{range $e := .Config.Env}}{{$e}};{{end}}")).isEqualTo("A=1;B=2;");
    }

    @Test
    void rangeOverMapIsSortedByKey() throws Exception {
        assertThat(run("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}},{{end}}")).isEqualTo("a=1,b=2,");
        assertThat(run("{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}")).isEqualTo("172.18.0.2 172.17.0.3 ");
    }

    @Test
    void rangeElseBreakContinue() throws Exception {
        assertThat(run("{{range .List}}x{{else}}empty{{end}}")).isEqualTo("empty");
        assertThat(run("{{range .Missing}}x{{else}}none{{end}}")).isEqualTo("none");
        assertThat(run("{{range .Config.Env}}{{if eq . \"A=1\"}}{{continue}}{{end}}{{.}}{{end}}")).isEqualTo("B=2");
        assertThat(run("{{range .Config.Env}}{{.}}{{break}}{{end}}")).isEqualTo("A=1");
    }

    @Test
    void ifElseIfElseAndTruthiness() throws Exception {
        assertThat(run("{{if .State.Running}}up{{else}}down{{end}}")).isEqualTo("up");
        assertThat(run("{{if .Count}}a{{else if .Empty}}b{{else if .Word}}c{{else}}d{{end}}")).isEqualTo("c");
        assertThat(run("{{if .List}}a{{else}}b{{end}}{{if .Nope}}a{{else}}b{{end}}")).isEqualTo("bb");
        assertThat(run("{{if and .State.Running (not .Config.Tty)}}yes{{end}}")).isEqualTo("yes");
        assertThat(run("{{if or .Count .Word}}{{or .Count .Word}}{{end}}")).isEqualTo("hello world");
    }

    @Test
    void withSetsDot() throws Exception {
        assertThat(run("{{with .State}}{{.Status}}{{end}}")).isEqualTo("running");
        assertThat(run("{{with .Nope}}x{{else}}no{{end}}")).isEqualTo("no");
    }

    @Test
    void indexJsonJoinSplitAndLen() throws Exception {
        assertThat(run("{{index .Config.Labels \"a\"}} {{index .Config.Env 1}}")).isEqualTo("1 B=2");
        assertThat(run("{{(index .NetworkSettings.Networks \"app\").IPAddress}}")).isEqualTo("172.18.0.2");
        assertThat(run("{{index .NetworkSettings.Ports \"80/tcp\" 0 \"HostPort\"}}")).isEqualTo("8080");
        assertThat(run("{{json .Config.Labels}}")).isEqualTo("{\"b\":\"2\",\"a\":\"1\"}");
        assertThat(run("{{json .Config.Cmd}} {{json .Word}}")).isEqualTo("null \"hello world\"");
        assertThat(run("{{join .Config.Env \",\"}}")).isEqualTo("A=1,B=2");
        assertThat(run("{{split .Word \" \"}} {{len (split .Word \" \")}}")).isEqualTo("[hello world] 2");
        assertThat(run("{{len .Config.Env}} {{len .Word}} {{len .Config.Labels}}")).isEqualTo("2 11 2");
    }

    @Test
    void printfAndPrint() throws Exception {
        assertThat(run("{{printf \"%s:%d\" .Name .State.Pid}}")).isEqualTo("/web:1234");
        assertThat(run("{{printf \"%-6s|%5d|%05d|%q|%v|%t|%x\" \"ab\" 42 42 \"q\" .Config.Env true 255}}"))
                .isEqualTo("ab    |   42|00042|\"q\"|[A=1 B=2]|true|ff");
        assertThat(run("{{printf \"%.2f %e %g\" 3.14159 1234.5678 0.000012}}")).isEqualTo("3.14 1.234568e+03 1.2e-05");
        assertThat(run("{{printf \"%d %s\" 1}}")).isEqualTo("1 %!s(MISSING)");
        assertThat(run("{{print \"a\" 1 2 \"b\"}}|{{println 1 \"x\"}}")).isEqualTo("a1 2b|1 x\n");
    }

    @Test
    void textFunctions() throws Exception {
        assertThat(run("{{lower \"ABC\"}} {{upper .Word}} {{title .Word}}")).isEqualTo("abc HELLO WORLD Hello World");
        assertThat(run("{{pad .Word 1 2}}|{{pad .Empty 1 1}}|{{truncate .Word 5}}")).isEqualTo(" hello world  ||hello");
    }

    @Test
    void pipelinesPassTheValueAsLastArgument() throws Exception {
        assertThat(run("{{.Word | upper}}")).isEqualTo("HELLO WORLD");
        assertThat(run("{{.Config.Labels | json}}")).isEqualTo("{\"b\":\"2\",\"a\":\"1\"}");
        assertThat(run("{{\"x\" | printf \"%s-%s\" \"y\"}}")).isEqualTo("y-x");
        assertThat(run("{{\" \" | split .Word | len}}")).isEqualTo("2");
        // split is strings.Split(s, sep): piping .Word makes it the separator, so " " splits into [" "]
        assertThat(run("{{.Word | split \" \" | len}}")).isEqualTo("1");
    }

    @Test
    void comparisons() throws Exception {
        assertThat(run("{{eq .State.Status \"running\"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 3 2}}"))
                .isEqualTo("true true true true false true");
        assertThat(run("{{eq .State.Pid 1 1234}} {{eq 1.5 .Ratio}}")).isEqualTo("true true");
    }

    @Test
    void variablesRootAndAssignment() throws Exception {
        assertThat(run("{{$n := .Name}}{{range .Config.Env}}{{$n}}:{{.}} {{end}}")).isEqualTo("/web:A=1 /web:B=2 ");
        assertThat(run("{{range .Config.Env}}{{$.Name}}{{end}}")).isEqualTo("/web/web");
        assertThat(run("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}")).isEqualTo("2");
    }

    @Test
    void commentsTrimMarkersAndLiterals() throws Exception {
        assertThat(run("a {{/* ignored */}} b")).isEqualTo("a  b");
        assertThat(run("a   {{- .State.Status -}}   b")).isEqualTo("arunningb");
        assertThat(run("{{\"tab\\tquote\\\"\"}}|{{`raw\\n`}}|{{-3}}|{{0x10}}|{{'a'}}|{{json nil}}"))
                .isEqualTo("tab\tquote\"|raw\\n|-3|16|97|null");
        // nil is only an argument: Go refuses it as the first word of a command
        assertThatThrownBy(() -> run("{{nil | json}}"))
                .hasMessage("template: :1:2: executing \"\" at <nil>: nil is not a command");
    }

    @Test
    void parseErrorsAreGoLike() {
        assertThatThrownBy(() -> Template.parse("{{.Foo")).hasMessage("template: :1: unclosed action");
        assertThatThrownBy(() -> Template.parse("{{foo .X}}")).hasMessage("template: :1: function \"foo\" not defined");
        assertThatThrownBy(() -> Template.parse("{{if .X}}a")).hasMessage("template: :1: unexpected EOF");
        assertThatThrownBy(() -> Template.parse("{{end}}")).hasMessage("template: :1: unexpected {{end}}");
        assertThatThrownBy(() -> Template.parse("{{json.}}")).hasMessage("template: :1: unexpected <.> in operand");
        assertThatThrownBy(() -> Template.parse("a\n{{break}}")).hasMessage("template: :2: {{break}} outside {{range}}");
    }

    @Test
    void executionErrorsNameThePlace() {
        assertThatThrownBy(() -> run("{{index .Config.Env 5}}"))
                .hasMessage("template: :1:2: executing \"\" at <index .Config.Env 5>: error calling index: index out of range: 5");
        assertThatThrownBy(() -> run("x\n  {{.Word.Len}}"))
                .hasMessage("template: :2:9: executing \"\" at <.Word.Len>: can't evaluate field Len in type interface {}");
        assertThatThrownBy(() -> run("{{.Name 1}}"))
                .hasMessageContaining("Name is not a method but has arguments");
    }

    @Test
    void formatterContextsHaveFieldsMethodsAndErrors() throws Exception {
        Map<String, Object> network = Json.object(Json.parse("""
                {"Name":"app","Id":"aaaa39df4171b0dc801e8002d1d999b77256983dfc63041c0f34030aa3977566","Driver":"bridge",
                 "Scope":"local","EnableIPv6":true,"Internal":false,"Labels":{"x":"y","a":"b"},"Created":"2024-05-01T10:11:12Z"}
                """));
        NetworkRow row = new NetworkRow(network, true);
        assertThat(Template.parse("{{.ID}} {{.Name}} {{.IPv6}} {{.Labels}} {{.Label \"x\"}} {{.CreatedAt}}").execute(row))
                .isEqualTo("aaaa39df4171 app true a=b,x=y y 2024-05-01 10:11:12 +0000 UTC");
        assertThatThrownBy(() -> Template.parse("{{.Nope}}").execute(row))
                .hasMessage("template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type *network.networkContext");
        assertThat(Template.parse("{{json .}}").execute(row)).isEqualTo(
                "{\"CreatedAt\":\"2024-05-01 10:11:12 +0000 UTC\",\"Driver\":\"bridge\",\"ID\":\"aaaa39df4171\","
                        + "\"IPv4\":\"true\",\"IPv6\":\"true\",\"Internal\":\"false\",\"Labels\":\"a=b,x=y\",\"Name\":\"app\","
                        + "\"Scope\":\"local\"}");
    }

    @Test
    void tableFormatPrintsAHeaderAndAlignsColumns() throws Exception {
        List<Object> networks = Json.array(Json.parse("""
                [{"Name":"bridge","Id":"f2de39df4171b0dc801e8002d1d999b77256983dfc63041c0f34030aa3977566","Driver":"bridge","Scope":"local"},
                 {"Name":"a-much-longer-name","Id":"aaaa39df4171b0dc801e8002d1d999b77256983dfc63041c0f34030aa3977566","Driver":"macvlan","Scope":"local"}]
                """));
        List<NetworkRow> rows = List.of(new NetworkRow(Json.object(networks.get(0)), true),
                new NetworkRow(Json.object(networks.get(1)), true));
        assertThat(ListFormatter.render(NetworkRow.DEFAULT_TABLE, rows, NetworkRow.header())).isEqualTo("""
                NETWORK ID     NAME                 DRIVER    SCOPE
                f2de39df4171   bridge               bridge    local
                aaaa39df4171   a-much-longer-name   macvlan   local
                """);
        assertThat(ListFormatter.render("table {{.Name}}\\t{{upper .Driver}}\\t{{json .Name}}", rows, NetworkRow.header()))
                .isEqualTo("""
                        NAME                 DRIVER    NAME
                        bridge               BRIDGE    "bridge"
                        a-much-longer-name   MACVLAN   "a-much-longer-name"
                        """);
        assertThat(ListFormatter.render("{{.Name}}:{{.Driver}}", rows, NetworkRow.header()))
                .isEqualTo("bridge:bridge\na-much-longer-name:macvlan\n");
        assertThat(ListFormatter.render("table", List.<NetworkRow>of(), NetworkRow.header()).strip()).isEmpty();
        assertThat(ListFormatter.render(NetworkRow.DEFAULT_TABLE, List.<NetworkRow>of(), NetworkRow.header()))
                .isEqualTo("NETWORK ID   NAME      DRIVER    SCOPE\n");
    }

    @Test
    void headerOfAnUnknownFieldIsNoValueAndErrorsKeepWhatWasWritten() throws Exception {
        StringBuilder unknown = new StringBuilder();
        Template.parse("{{.Name}}\t{{.Nope}}").executeHeader(NetworkRow.header(), unknown);
        assertThat(unknown.toString()).isEqualTo("NAME\t<no value>");
        StringBuilder out = new StringBuilder();
        Template.parse("{{.Name}}\t{{.Label \"x\"}}").executeHeader(NetworkRow.header(), out);
        assertThat(out.toString()).isEqualTo("NAME\t");
    }
}
