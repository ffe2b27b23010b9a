package dev.pier.cli.args;

import dev.pier.cli.CliError;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlagSetTest {

    private static FlagSet runFlags() {
        return new FlagSet("run", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Run")
                .bool("detach", 'd', "detach")
                .bool("interactive", 'i', "stdin")
                .bool("tty", 't', "tty")
                .bool("rm", (char) 0, "remove")
                .string("name", (char) 0, "string", "name")
                .string("hostname", 'h', "string", "hostname")
                .list("env", 'e', "env")
                .list("publish", 'p', "publish")
                .list("network", (char) 0, "network", "net")
                .integer("time", (char) 0, "seconds")
                .stopAtFirstPositional();
    }

    private static Parsed parse(FlagSet flags, String... args) throws CliError {
        return flags.parse(args, 0);
    }

    @Test
    void longFlagsWithSpaceOrEquals() throws CliError {
        Parsed p = parse(runFlags(), "--name", "web", "--hostname=h1", "busybox");
        assertThat(p.string("name")).isEqualTo("web");
        assertThat(p.string("hostname")).isEqualTo("h1");
        assertThat(p.args()).containsExactly("busybox");
    }

    @Test
    void shortFlagsWithSpaceAttachedOrEquals() throws CliError {
        Parsed p = parse(runFlags(), "-h", "a", "-pA:B", "-e=X=1", "busybox");
        assertThat(p.string("hostname")).isEqualTo("a");
        assertThat(p.list("publish")).containsExactly("A:B");
        assertThat(p.list("env")).containsExactly("X=1");
    }

    @Test
    void combinedShortBooleans() throws CliError {
        Parsed p = parse(runFlags(), "-dit", "busybox");
        assertThat(p.bool("detach")).isTrue();
        assertThat(p.bool("interactive")).isTrue();
        assertThat(p.bool("tty")).isTrue();
        assertThat(p.bool("rm")).isFalse();
    }

    @Test
    void combinedShortsEndingInAValueFlag() throws CliError {
        Parsed p = parse(runFlags(), "-dp", "8080:80", "busybox");
        assertThat(p.bool("detach")).isTrue();
        assertThat(p.list("publish")).containsExactly("8080:80");
        Parsed attached = parse(runFlags(), "-dp8080:80", "busybox");
        assertThat(attached.list("publish")).containsExactly("8080:80");
    }

    @Test
    void repeatedListFlagsKeepEveryValueInOrder() throws CliError {
        Parsed p = parse(runFlags(), "-e", "A=1", "--env", "B=2", "-e=C", "busybox");
        assertThat(p.list("env")).containsExactly("A=1", "B=2", "C");
    }

    @Test
    void repeatedStringFlagKeepsTheLast() throws CliError {
        Parsed p = parse(runFlags(), "--name", "a", "--name", "b", "busybox");
        assertThat(p.string("name")).isEqualTo("b");
    }

    @Test
    void aliasesSetTheCanonicalFlag() throws CliError {
        Parsed p = parse(runFlags(), "--net", "app", "busybox");
        assertThat(p.list("network")).containsExactly("app");
    }

    @Test
    void booleanValuesAndNoConsumptionOfTheNextArgument() throws CliError {
        Parsed p = parse(runFlags(), "--rm=false", "-d=true", "--tty", "busybox");
        assertThat(p.bool("rm")).isFalse();
        assertThat(p.isSet("rm")).isTrue();
        assertThat(p.bool("detach")).isTrue();
        assertThat(p.bool("tty")).isTrue();
        assertThat(p.args()).containsExactly("busybox");
    }

    @Test
    void flagsStopAtTheImageForRun() throws CliError {
        Parsed p = parse(runFlags(), "-d", "busybox", "httpd", "-f", "--name", "x", "-p", "80");
        assertThat(p.bool("detach")).isTrue();
        assertThat(p.string("name")).isNull();
        assertThat(p.args()).containsExactly("busybox", "httpd", "-f", "--name", "x", "-p", "80");
    }

    @Test
    void interspersedFlagsForOtherCommands() throws CliError {
        FlagSet rm = new FlagSet("rm", "[OPTIONS] CONTAINER", "Remove").bool("force", 'f', "force");
        Parsed p = parse(rm, "a", "-f", "b");
        assertThat(p.bool("force")).isTrue();
        assertThat(p.args()).containsExactly("a", "b");
    }

    @Test
    void doubleDashEndsFlags() throws CliError {
        FlagSet rm = new FlagSet("rm", "[OPTIONS] CONTAINER", "Remove").bool("force", 'f', "force");
        Parsed p = parse(rm, "--", "-f", "x");
        assertThat(p.bool("force")).isFalse();
        assertThat(p.args()).containsExactly("-f", "x");
    }

    @Test
    void singleDashIsPositional() throws CliError {
        FlagSet flags = new FlagSet("import", "file|-", "Import").list("change", 'c', "change");
        assertThat(parse(flags, "-", "repo:tag").args()).containsExactly("-", "repo:tag");
    }

    @Test
    void integerFlags() throws CliError {
        FlagSet stop = new FlagSet("stop", "[OPTIONS] CONTAINER", "Stop").integer("timeout", 't', "secs", "time");
        assertThat(parse(stop, "-t", "5", "x").integer("timeout", 10)).isEqualTo(5);
        assertThat(parse(stop, "--time=7", "x").integer("timeout", 10)).isEqualTo(7);
        assertThat(parse(stop, "x").integer("timeout", 10)).isEqualTo(10);
    }

    @Test
    void unknownLongFlag() {
        assertThatThrownBy(() -> parse(runFlags(), "--xyz", "busybox"))
                .isInstanceOfSatisfying(CliError.Usage.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("unknown flag: --xyz");
                    assertThat(e.flagError()).isTrue();
                    assertThat(e.usageLine()).isEqualTo("pier run [OPTIONS] IMAGE [COMMAND] [ARG...]");
                });
    }

    @Test
    void unknownShorthandNamesTheWholeArgument() {
        assertThatThrownBy(() -> parse(runFlags(), "-dz", "busybox"))
                .hasMessage("unknown shorthand flag: 'z' in -dz");
    }

    @Test
    void missingValues() {
        assertThatThrownBy(() -> parse(runFlags(), "--name")).hasMessage("flag needs an argument: --name");
        assertThatThrownBy(() -> parse(runFlags(), "-p")).hasMessage("flag needs an argument: 'p' in -p");
        assertThatThrownBy(() -> parse(runFlags(), "-dp")).hasMessage("flag needs an argument: 'p' in -dp");
    }

    @Test
    void invalidBooleanAndInteger() {
        assertThatThrownBy(() -> parse(runFlags(), "--rm=maybe", "busybox"))
                .hasMessage("invalid argument \"maybe\" for \"--rm\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax");
        FlagSet stop = new FlagSet("stop", "[OPTIONS] CONTAINER", "Stop").integer("timeout", 't', "secs");
        assertThatThrownBy(() -> parse(stop, "-t", "abc", "x"))
                .hasMessage("invalid argument \"abc\" for \"-t, --timeout\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax");
    }

    @Test
    void helpIsAskedWithDoubleDashHelpAndWithDashHWhenFree() {
        assertThatThrownBy(() -> parse(runFlags(), "--help")).isInstanceOf(CliError.Help.class)
                .hasMessageContaining("Usage:  pier run [OPTIONS] IMAGE [COMMAND] [ARG...]")
                .hasMessageContaining("-d, --detach");
        FlagSet rm = new FlagSet("rm", "[OPTIONS] CONTAINER", "Remove").bool("force", 'f', "force");
        assertThatThrownBy(() -> parse(rm, "-h")).isInstanceOf(CliError.Help.class);
    }

    @Test
    void dashHIsHostnameForRun() throws CliError {
        assertThat(parse(runFlags(), "-h", "box", "busybox").string("hostname")).isEqualTo("box");
    }

    @Test
    void argumentCountMessagesFollowDocker() throws CliError {
        Parsed none = parse(runFlags());
        assertThatThrownBy(() -> none.minArgs(1)).isInstanceOfSatisfying(CliError.Usage.class, e -> {
            assertThat(e.getMessage()).isEqualTo("pier: 'pier run' requires at least 1 argument");
            assertThat(e.flagError()).isFalse();
            assertThat(e.seeHint()).isTrue();
        });
        FlagSet logs = new FlagSet("logs", "[OPTIONS] CONTAINER", "Logs");
        assertThatThrownBy(() -> parse(logs).exactArgs(1)).hasMessage("pier: 'pier logs' requires 1 argument");
        FlagSet ps = new FlagSet("ps", "[OPTIONS]", "List");
        assertThatThrownBy(() -> parse(ps, "x").noArgs()).hasMessage("pier: 'pier ps' accepts no arguments");
        FlagSet port = new FlagSet("port", "CONTAINER [PRIVATE_PORT[/PROTO]]", "Port");
        assertThatThrownBy(() -> parse(port).rangeArgs(1, 2))
                .hasMessage("pier: 'pier port' requires at least 1 and at most 2 arguments");
    }
}
