package dev.pier.api.routes;

import dev.pier.api.ApiException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FiltersTest {
    @Test
    void everyLabelGivenMustMatch() {
        Filters f = Filters.parse("{\"label\":[\"team=blue\",\"tier\"]}", List.of("label"));
        assertThat(f.labelsMatch("label", Map.of("team", "blue", "tier", "db"))).isTrue();
        assertThat(f.labelsMatch("label", Map.of("team", "blue"))).isFalse();
        assertThat(f.labelsMatch("label", Map.of("team", "green", "tier", "db"))).isFalse();
        assertThat(f.labelsMatch("label!", Map.of())).as("absent key").isTrue();
        // The older form, {"label":{"team=blue":true}}, says the same.
        assertThat(Filters.parse("{\"label\":{\"team=blue\":true}}", List.of("label")).labelsMatch("label", Map.of("team", "blue"))).isTrue();
        assertThatThrownBy(() -> Filters.parse("{\"colour\":[\"red\"]}", List.of("label"))).hasMessage("invalid filter 'colour'");
    }

    @Test
    void untilTakesDurationsUnixSecondsAndDates() {
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        assertThat(Until.parse("24h", now)).isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
        assertThat(Until.parse("1h30m", now)).isEqualTo(Instant.parse("2026-11-23T10:30:00Z"));
        assertThat(Until.parse("1.5s", now)).isEqualTo(Instant.parse("2026-11-23T11:59:58.500Z"));
        assertThat(Until.parse("1483228800", now)).isEqualTo(Instant.parse("2017-01-01T00:00:00Z"));
        assertThat(Until.parse("1483228800.25", now)).isEqualTo(Instant.parse("2017-01-01T00:00:00.250Z"));
        assertThat(Until.parse("2026-11-20T08:00:00+01:00", now)).isEqualTo(Instant.parse("2026-11-20T07:00:00Z"));
        assertThat(Until.parse("2026-11-20", now)).isEqualTo(LocalDate.parse("2026-11-20").atStartOfDay(ZoneId.systemDefault()).toInstant());
        for (String bad : new String[]{"soon", "1d", "2026-13-01", ""}) {
            assertThatThrownBy(() -> Until.parse(bad, now)).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
                    .hasMessageContaining("failed to parse value as time or duration");
        }
    }
}
