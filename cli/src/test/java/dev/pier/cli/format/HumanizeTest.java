package dev.pier.cli.format;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The cases mirror docker/go-units' own tests and values seen from the docker CLI. */
class HumanizeTest {
    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long WEEK = 7 * DAY;
    private static final long MONTH = 30 * DAY;
    private static final long YEAR = 365 * DAY;

    @Test
    void durations() {
        assertThat(Humanize.duration(450)).isEqualTo("Less than a second");
        assertThat(Humanize.duration(-5 * SECOND)).isEqualTo("Less than a second");
        assertThat(Humanize.duration(SECOND)).isEqualTo("1 second");
        assertThat(Humanize.duration(45 * SECOND)).isEqualTo("45 seconds");
        assertThat(Humanize.duration(59 * SECOND)).isEqualTo("59 seconds");
        assertThat(Humanize.duration(60 * SECOND)).isEqualTo("About a minute");
        assertThat(Humanize.duration(3 * MINUTE)).isEqualTo("3 minutes");
        assertThat(Humanize.duration(35 * MINUTE + 40 * SECOND)).isEqualTo("35 minutes");
        assertThat(Humanize.duration(59 * MINUTE)).isEqualTo("59 minutes");
        assertThat(Humanize.duration(HOUR)).isEqualTo("About an hour");
        assertThat(Humanize.duration(HOUR + 29 * MINUTE)).isEqualTo("About an hour");
        assertThat(Humanize.duration(HOUR + 31 * MINUTE)).isEqualTo("2 hours");
        assertThat(Humanize.duration(3 * HOUR + 29 * MINUTE)).isEqualTo("3 hours");
        assertThat(Humanize.duration(3 * HOUR + 31 * MINUTE)).isEqualTo("4 hours");
        assertThat(Humanize.duration(DAY)).isEqualTo("24 hours");
        assertThat(Humanize.duration(DAY + 12 * HOUR)).isEqualTo("36 hours");
        assertThat(Humanize.duration(2 * DAY)).isEqualTo("2 days");
        assertThat(Humanize.duration(13 * DAY + 5 * HOUR)).isEqualTo("13 days");
        assertThat(Humanize.duration(2 * WEEK)).isEqualTo("2 weeks");
        assertThat(Humanize.duration(4 * WEEK + 3 * DAY)).isEqualTo("4 weeks");
        assertThat(Humanize.duration(MONTH + 2 * WEEK)).isEqualTo("6 weeks");
        assertThat(Humanize.duration(2 * MONTH)).isEqualTo("2 months");
        assertThat(Humanize.duration(5 * MONTH + 2 * WEEK)).isEqualTo("5 months");
        assertThat(Humanize.duration(24 * MONTH)).isEqualTo("24 months");
        assertThat(Humanize.duration(24 * MONTH + 2 * WEEK)).isEqualTo("2 years");
        assertThat(Humanize.duration(3 * YEAR + 2 * MONTH)).isEqualTo("3 years");
    }

    @Test
    void decimalSizesWithPrecisionThreeAsImagesShowThem() {
        assertThat(Humanize.size(4261550, 3)).isEqualTo("4.26MB");
        assertThat(Humanize.size(999500, 3)).isEqualTo("1e+03kB");
        assertThat(Humanize.size(0, 3)).isEqualTo("0B");
        assertThat(Humanize.size(999, 3)).isEqualTo("999B");
        assertThat(Humanize.size(1000, 3)).isEqualTo("1kB");
        assertThat(Humanize.size(1234567890, 3)).isEqualTo("1.23GB");
        assertThat(Humanize.size(120_000_000, 3)).isEqualTo("120MB");
    }

    @Test
    void humanSizeAndBytesSize() {
        assertThat(Humanize.size(4261550)).isEqualTo("4.262MB");
        assertThat(Humanize.size(999500)).isEqualTo("999.5kB");
        assertThat(Humanize.bytesSize(2087354368)).isEqualTo("1.944GiB");
        assertThat(Humanize.bytesSize(1024)).isEqualTo("1KiB");
    }

    @Test
    void idsAndEllipsis() {
        assertThat(Humanize.truncateId("sha256:aaaabbbbccccddddeeeeffff00001111")).isEqualTo("aaaabbbbcccc");
        assertThat(Humanize.truncateId("8dfafdbc3a40c2a6b8d1")).isEqualTo("8dfafdbc3a40");
        assertThat(Humanize.truncateId("short")).isEqualTo("short");
        assertThat(Humanize.ellipsis("httpd -f -p 80 -h /www/very/long/path", 20)).isEqualTo("httpd -f -p 80 -h /…");
        assertThat(Humanize.ellipsis("exactly twenty chars", 20)).isEqualTo("exactly twenty chars");
        assertThat(Humanize.ellipsis("abc", 1)).isEqualTo("a");
    }

    @Test
    void goTimeStrings() {
        assertThat(Humanize.rfc3339AsGo("2024-05-01T10:11:12.123456789Z")).isEqualTo("2024-05-01 10:11:12.123456789 +0000 UTC");
        assertThat(Humanize.rfc3339AsGo("2024-05-01T10:11:12.5Z")).isEqualTo("2024-05-01 10:11:12.5 +0000 UTC");
        assertThat(Humanize.rfc3339AsGo("2024-05-01T10:11:12Z")).isEqualTo("2024-05-01 10:11:12 +0000 UTC");
        assertThat(Humanize.unixTime(0)).matches("1970-01-01 \\d\\d:00:00 [+-]\\d{4} .+|1969-12-31 .+");
    }

    @Test
    void goFloatFormatting() {
        assertThat(GoFormat.formatFloat(1.5, 'g', -1)).isEqualTo("1.5");
        assertThat(GoFormat.formatFloat(1e21, 'g', -1)).isEqualTo("1e+21");
        assertThat(GoFormat.formatFloat(1234567.0, 'g', -1)).isEqualTo("1.234567e+06");
        assertThat(GoFormat.formatFloat(123456.0, 'g', -1)).isEqualTo("123456");
        assertThat(GoFormat.formatFloat(0.0001, 'g', -1)).isEqualTo("0.0001");
        assertThat(GoFormat.formatFloat(0.00001, 'g', -1)).isEqualTo("1e-05");
        assertThat(GoFormat.formatFloat(2.5, 'f', 0)).isEqualTo("2");
        assertThat(GoFormat.formatFloat(3.5, 'f', 0)).isEqualTo("4");
        assertThat(GoFormat.formatFloat(9.96, 'f', 1)).isEqualTo("10.0");
        assertThat(GoFormat.formatFloat(0.06, 'f', 1)).isEqualTo("0.1");
        assertThat(GoFormat.formatFloat(1234.5678, 'e', 6)).isEqualTo("1.234568e+03");
        assertThat(GoFormat.formatFloat(-0.0, 'g', -1)).isEqualTo("-0");
    }

    @Test
    void strconvQuote() {
        assertThat(GoFormat.quote("sh -c \"x\"\t\\")).isEqualTo("\"sh -c \\\"x\\\"\\t\\\\\"");
        assertThat(GoFormat.quote("héllo…")).isEqualTo("\"héllo…\"");
        assertThat(GoFormat.quote("a\u0000b\u00a0")).isEqualTo("\"a\\x00b\\u00a0\"");
    }
}
