package dev.pier.linux;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs after the whole kernel suite (its own surefire execution, see the pom): no link,
 * namespace or nftables table with a test prefix may survive it.
 */
class NothingLeftBehindCheck {
    private static final List<String> TEST_PREFIXES = List.of("plt", "pnst", "psmk");

    private static boolean isTestObject(String name) {
        return TEST_PREFIXES.stream().anyMatch(name::startsWith);
    }

    @Test
    void noTestLinkNamespaceOrTableRemains() throws Exception {
        try (Netlink host = Netlink.open()) {
            assertThat(host.links()).extracting(Link::name).noneMatch(NothingLeftBehindCheck::isTestObject);
        }
        Path netns = Path.of("/run/netns");
        if (Files.isDirectory(netns)) {
            try (Stream<Path> files = Files.list(netns)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(NothingLeftBehindCheck::isTestObject);
            }
        }
        try (Nftables nft = Nftables.open()) {
            String tables = nft.list("list tables");
            assertThat(tables.lines().map(l -> l.substring(l.lastIndexOf(' ') + 1))).noneMatch(NothingLeftBehindCheck::isTestObject);
        }
    }
}
