package dev.pier.linux;

import dev.pier.linux.NetNamespaceTest.Scratch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Most cases run in a namespace of the test's own, where the whole ruleset is ours to compare;
 * the host-side cases only touch pnst_* tables.
 */
class NftablesTest {
    private static Scratch scratch;
    private static NetNamespace ns;
    private static Nftables nft;

    @BeforeAll
    static void setUp() {
        scratch = new Scratch("nft");
        ns = NetNamespace.create(scratch.dir, scratch.name("n"));
        nft = Nftables.openIn(ns);
    }

    @AfterEach
    void cleanUp() {
        nft.apply("flush ruleset"); // inside the test namespace only
        deleteHostTestTables();
    }

    @AfterAll
    static void tearDown() {
        try {
            if (nft != null) nft.close();
            if (ns != null) ns.close();
            deleteHostTestTables();
        } finally {
            scratch.close();
        }
        Scratch.assertNothingLeft();
        assertThat(Scratch.sh("nft", "list", "tables")).doesNotContain("pnst");
    }

    private static final String TABLE = """
            table inet pnst_t {
                map ports {
                    type inet_proto . inet_service : ipv4_addr . inet_service
                    elements = { tcp . 8080 : 10.99.0.2 . 80 }
                }
                chain pre {
                    type nat hook prerouting priority dstnat; policy accept;
                    dnat ip to meta l4proto . th dport map @ports
                }
                chain forward_c {
                    type filter hook forward priority filter; policy accept;
                    ct state established,related accept
                }
            }
            """;

    @Test
    void appliesATableWithChainsAndAMapAndReadsItBackAsJson() {
        nft.apply(TABLE);
        assertThat(nft.tableExists("inet", "pnst_t")).isTrue();
        String json = nft.listTableJson("inet", "pnst_t");
        assertThat(json).startsWith("{\"nftables\": [")
                .contains("\"table\": {\"family\": \"inet\", \"name\": \"pnst_t\"")
                .contains("\"chain\": {\"family\": \"inet\", \"table\": \"pnst_t\", \"name\": \"pre\"")
                .contains("\"chain\": {\"family\": \"inet\", \"table\": \"pnst_t\", \"name\": \"forward_c\"")
                .contains("\"map\": {\"family\": \"inet\", \"name\": \"ports\", \"table\": \"pnst_t\"")
                .contains("10.99.0.2");
        String text = nft.list("list table inet pnst_t");
        assertThat(text).contains("table inet pnst_t {", "map ports {", "chain pre {", "tcp . 8080 : 10.99.0.2 . 80");
    }

    @Test
    void syntaxErrorCarriesNftsTextAndLeavesTheRulesetUnchanged() {
        nft.apply(TABLE);
        String before = nft.list("list ruleset");
        NftablesException e = catchThrowableOfType(NftablesException.class,
                () -> nft.apply("add table inet pnst_x\nadd chian inet pnst_x c\n"));
        // nft names the line and points at the culprit on it.
        assertThat(e.nftError()).contains(":2:11-14: Error: syntax error")
                .contains("add chian inet pnst_x c\n          ^^^^");
        assertThat(e.getMessage()).contains(e.nftError().stripTrailing());
        assertThat(nft.list("list ruleset")).isEqualTo(before);
        assertThat(nft.tableExists("inet", "pnst_x")).isFalse();
    }

    @Test
    void aScriptWhoseSecondCommandFailsInTheKernelAppliesNothing() {
        String before = nft.list("list ruleset");
        // Parses and evaluates fine; the kernel refuses the delete, so the whole batch is rolled back.
        NftablesException e = catchThrowableOfType(NftablesException.class,
                () -> nft.apply("add table inet pnst_atom\ndelete table inet pnst_missing\n"));
        assertThat(e.nftError()).contains(":2:").contains("Could not process rule: No such file or directory")
                .contains("delete table inet pnst_missing\n                  ^^^^^^^^^^^^");
        assertThat(nft.tableExists("inet", "pnst_atom")).isFalse();
        assertThat(nft.list("list ruleset")).isEqualTo(before);

        // Same when evaluation refuses a later command.
        assertThatThrownBy(() -> nft.apply("add table inet pnst_atom2\nadd rule inet pnst_atom2 nochain accept\n"))
                .isInstanceOf(NftablesException.class).hasMessageContaining("No such file or directory");
        assertThat(nft.tableExists("inet", "pnst_atom2")).isFalse();
    }

    @Test
    void jsonInputAppliesAndFailsAtomically() {
        nft.applyJson("""
                {"nftables": [
                  {"add": {"table": {"family": "inet", "name": "pnst_j"}}},
                  {"add": {"chain": {"family": "inet", "table": "pnst_j", "name": "c"}}},
                  {"add": {"map": {"family": "inet", "table": "pnst_j", "name": "m", "type": "ipv4_addr", "map": "ipv4_addr"}}},
                  {"add": {"element": {"family": "inet", "table": "pnst_j", "name": "m", "elem": [["10.99.0.1", "10.99.0.2"]]}}}
                ]}
                """);
        String json = nft.listTableJson("inet", "pnst_j");
        assertThat(json).contains("\"name\": \"c\"").contains("\"name\": \"m\"").contains("10.99.0.2");

        String before = nft.list("list ruleset");
        NftablesException e = catchThrowableOfType(NftablesException.class, () -> nft.applyJson("""
                {"nftables": [
                  {"add": {"table": {"family": "inet", "name": "pnst_j2"}}},
                  {"add": {"chain": {"family": "inet", "table": "pnst_missing", "name": "c"}}}
                ]}
                """));
        assertThat(e.nftError()).contains("Error:");
        assertThat(nft.tableExists("inet", "pnst_j2")).isFalse();
        assertThat(nft.list("list ruleset")).isEqualTo(before);

        assertThatThrownBy(() -> nft.applyJson("{\"nftables\": [{\"bogus\": 1}]}"))
                .isInstanceOf(NftablesException.class).hasMessageContaining("Unknown object");
        assertThatThrownBy(() -> nft.applyJson("add table inet pnst_text"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON");
        assertThat(nft.tableExists("inet", "pnst_text")).isFalse();
        // Text input is unaffected by the JSON call before it.
        nft.apply("add table inet pnst_after_json");
        assertThat(nft.tableExists("inet", "pnst_after_json")).isTrue();
    }

    @Test
    void absentTableAndBadArguments() {
        NftablesException e = catchThrowableOfType(NftablesException.class, () -> nft.listTableJson("inet", "pnst_absent"));
        assertThat(e.nftError()).contains("No such file or directory");
        assertThat(nft.tableExists("inet", "pnst_absent")).isFalse();
        assertThat(nft.tableExists("ip", "pnst_absent")).isFalse();

        assertThatThrownBy(() -> nft.listTableJson("inet6", "pnst_t")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("family");
        assertThatThrownBy(() -> nft.tableExists("inet", "pnst_t; flush ruleset")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table name");
        assertThatThrownBy(() -> nft.list("flush ruleset")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> nft.list("list tables; flush ruleset")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> nft.apply(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void hostContextWorksOnTheHostRuleset() {
        String table = "pnst_host_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        try (Nftables host = Nftables.open()) {
            host.apply("add table inet " + table);
            assertThat(host.tableExists("inet", table)).isTrue();
            assertThat(Scratch.sh("nft", "list", "tables")).contains("table inet " + table);
            assertThat(nft.tableExists("inet", table)).isFalse(); // not in the test namespace
            host.apply("delete table inet " + table);
            assertThat(host.tableExists("inet", table)).isFalse();
        }
    }

    @Test
    void aContextOpenedInsideANamespaceChangesThatNamespaceOnly() {
        try (Nftables openedInside = ns.run(Nftables::open)) {
            // Used from this (host) thread: the netlink socket was made inside, so the table lands inside.
            openedInside.apply("add table inet pnst_iso");
            assertThat(openedInside.tableExists("inet", "pnst_iso")).isTrue();
        }
        assertThat(nft.tableExists("inet", "pnst_iso")).isTrue();
        assertThat(Scratch.sh("nft", "list", "tables")).doesNotContain("pnst_iso");
        assertThat(Scratch.sh("ip", "netns", "exec", ns.name(), "nft", "list", "tables")).contains("table inet pnst_iso");
        try (Nftables host = Nftables.open()) {
            assertThat(host.tableExists("inet", "pnst_iso")).isFalse();
        }
    }

    @Test
    void interfaceNamesResolveInTheCallingThreadsNamespace() {
        Scratch.sh("ip", "-n", ns.name(), "link", "add", "pnstv0", "type", "veth", "peer", "name", "pnstv1");
        try {
            String script = "add table inet pnst_if\nadd chain inet pnst_if c\nadd rule inet pnst_if c iif \"pnstv0\" accept\n";
            // Socket inside, but the index lookup happens on the calling (host) thread: the name is unknown there.
            try (Nftables openedInside = ns.run(Nftables::open)) {
                assertThatThrownBy(() -> openedInside.apply(script))
                        .isInstanceOf(NftablesException.class).hasMessageContaining("Interface does not exist");
            }
            // openIn(ns) runs every command inside, so the lookup succeeds.
            nft.apply(script);
            assertThat(nft.list("list chain inet pnst_if c")).contains("iif \"pnstv0\" accept");
        } finally {
            Scratch.sh("ip", "-n", ns.name(), "link", "del", "pnstv0");
        }
    }

    @Test
    void concurrentCallersOnSharedAndSeparateContexts() throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                int n = i;
                futures.add(threads.submit(() -> {
                    if (n % 2 == 0) {
                        nft.apply("add table inet pnst_c" + n + "\nadd chain inet pnst_c" + n + " c\n");
                    } else {
                        try (Nftables own = Nftables.openIn(ns)) {
                            own.apply("add table inet pnst_c" + n + "\nadd chain inet pnst_c" + n + " c\n");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        }
        for (int i = 0; i < 20; i++) assertThat(nft.tableExists("inet", "pnst_c" + i)).as("pnst_c" + i).isTrue();
    }

    @Test
    void closeIsIdempotentAndFinal() {
        Nftables context = Nftables.openIn(ns);
        context.close();
        context.close();
        assertThatThrownBy(() -> context.apply("add table inet pnst_closed"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    /** Removes every pnst_* table from the host ruleset (checked through the nft tool, not the code under test). */
    private static void deleteHostTestTables() {
        for (String line : Scratch.sh("nft", "list", "tables").lines().toList()) {
            String[] words = line.strip().split(" ");
            if (words.length == 3 && words[0].equals("table") && words[2].startsWith("pnst")) {
                Scratch.sh("nft", "delete", "table", words[1], words[2]);
            }
        }
    }
}
