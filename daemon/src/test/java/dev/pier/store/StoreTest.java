package dev.pier.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({@JsonSubTypes.Type(value = Bridge.class, name = "bridge"), @JsonSubTypes.Type(value = Macvlan.class, name = "macvlan")})
    sealed interface Driver permits Bridge, Macvlan {}

    record Bridge(String interfaceName) implements Driver {}

    record Macvlan(String parent, String mode) implements Driver {}

    record Network(String id, String name, Instant created, Optional<String> comment, List<String> subnets,
                   Map<String, String> options, Driver driver, int mtu) {
        Network {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a network needs a name");
            }
        }
    }

    record Unserialisable(Object payload) {}

    @TempDir
    Path root;

    private static Network network(String id, String name) {
        return new Network(id, name, Instant.parse("2025-01-02T03:04:05.123456789Z"), Optional.of("made by a test"),
                List.of("172.18.0.0/16", "fd00::/64"), Map.of("com.docker.network.bridge.name", "br-" + id),
                new Bridge("br-" + id), 1500);
    }

    @Test
    void roundTripsRecordsWithInstantOptionalAndSealedFields() {
        Store.Collection<Network> networks = Store.open(root).collection("networks", Network.class);
        Network a = network("a1", "alpha");
        Network b = new Network("b2", "beta", Instant.EPOCH, Optional.empty(), List.of(), Map.of(), new Macvlan("eth1", "bridge"), 9000);
        networks.put("b2", b);
        networks.put("a1", a);

        assertThat(networks.get("a1")).contains(a);
        assertThat(networks.get("zz")).isEmpty();
        assertThat(networks.keys()).containsExactly("a1", "b2");
        assertThat(networks.values()).containsExactly(a, b);
        assertThat(networks.size()).isEqualTo(2);

        Network renamed = network("a1", "alpha2");
        networks.put("a1", renamed);
        assertThat(networks.get("a1")).contains(renamed);

        assertThat(networks.remove("b2")).contains(b);
        assertThat(networks.remove("b2")).isEmpty();
        assertThat(networks.keys()).containsExactly("a1");
    }

    @Test
    void survivesReopening() throws Exception {
        Store first = Store.open(root);
        Store.Collection<Network> networks = first.collection("networks", Network.class);
        networks.put("a1", network("a1", "alpha"));
        networks.put("b2", new Network("b2", "beta", Instant.EPOCH, Optional.empty(), List.of(), Map.of(), new Macvlan("eth1", "vepa"), 1400));
        networks.put("c3", network("c3", "gamma"));
        networks.remove("c3");

        Store.Collection<Network> reopened = Store.open(root).collection("networks", Network.class);
        assertThat(reopened.keys()).containsExactly("a1", "b2");
        assertThat(reopened.get("a1")).contains(network("a1", "alpha"));
        assertThat(reopened.get("b2").orElseThrow().driver()).isEqualTo(new Macvlan("eth1", "vepa"));
        assertThat(reopened.get("b2").orElseThrow().comment()).isEmpty();

        Path file = root.resolve("networks/a1.json");
        String json = Files.readString(file);
        assertThat(json).contains("\"created\" : \"2025-01-02T03:04:05.123456789Z\"").contains("\"kind\" : \"bridge\"");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(root.resolve("networks"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a1.json", "b2.json");
        }
    }

    @Test
    void skipsAndQuarantinesCorruptFiles() throws Exception {
        Store.Collection<Network> networks = Store.open(root).collection("networks", Network.class);
        networks.put("good", network("good", "good"));
        Path dir = root.resolve("networks");
        String goodJson = Files.readString(dir.resolve("good.json"));
        Files.writeString(dir.resolve("half.json"), goodJson.substring(0, goodJson.length() / 2));
        Files.writeString(dir.resolve("garbage.json"), "\u0000\u0001not json at all");
        Files.writeString(dir.resolve("nothing.json"), "null");
        Files.writeString(dir.resolve("empty.json"), "");
        Files.writeString(dir.resolve("refused.json"), goodJson.replace("\"name\" : \"good\"", "\"name\" : \"\""));
        Files.writeString(dir.resolve(".crashed.json.tmp"), "{\"id\":");
        Files.writeString(dir.resolve("notes.txt"), "left alone");
        Files.writeString(dir.resolve("bad key!.json"), "{}");

        Store.Collection<Network> reopened = Store.open(root).collection("networks", Network.class);

        assertThat(reopened.keys()).containsExactly("good");
        for (String key : List.of("half", "garbage", "nothing", "empty", "refused")) {
            assertThat(dir.resolve(key + ".json")).as(key).doesNotExist();
            assertThat(dir.resolve(key + ".json.corrupt")).as(key).exists();
        }
        assertThat(Files.readString(dir.resolve("garbage.json.corrupt"))).isEqualTo("\u0000\u0001not json at all");
        assertThat(dir.resolve(".crashed.json.tmp")).doesNotExist();
        assertThat(dir.resolve("notes.txt")).exists();
        assertThat(dir.resolve("bad key!.json")).exists();

        // The key of a quarantined file is free again, and a new corrupt copy replaces the old quarantine.
        reopened.put("half", network("half", "half"));
        assertThat(Store.open(root).collection("networks", Network.class).keys()).containsExactly("good", "half");
    }

    @Test
    void concurrentPutsAllLand() throws Exception {
        Store.Collection<Network> networks = Store.open(root).collection("networks", Network.class);
        int threads = 8;
        int perThread = 25;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        networks.put("n" + thread + "-" + i, network("n" + thread + "-" + i, "net" + i));
                        // Every thread also hammers one shared key.
                        networks.put("shared", network("shared", "from" + thread));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(networks.size()).isEqualTo(threads * perThread + 1);
        Store.Collection<Network> reopened = Store.open(root).collection("networks", Network.class);
        assertThat(reopened.keys()).isEqualTo(networks.keys());
        assertThat(reopened.get("shared")).isEqualTo(networks.get("shared"));
        try (Stream<Path> files = Files.list(root.resolve("networks"))) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith("."))).as("no temp files left").isEmpty();
        }
    }

    @Test
    void badKeysAndNamesAreRefusedWithoutWriting() throws Exception {
        Store store = Store.open(root);
        Store.Collection<Network> networks = store.collection("networks", Network.class);
        for (String key : new String[] {"", "../escape", "a/b", ".hidden", "-dash", "x".repeat(201), "sp ace"}) {
            assertThatThrownBy(() -> networks.put(key, network("x", "x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("invalid store key");
        }
        assertThatThrownBy(() -> networks.put(null, network("x", "x"))).hasMessageContaining("invalid store key null");
        assertThatThrownBy(() -> store.collection("../up", Network.class)).hasMessageStartingWith("invalid store collection name");
        try (Stream<Path> files = Files.list(root.resolve("networks"))) {
            assertThat(files).isEmpty();
        }
        assertThat(root.getParent().resolve("escape.json")).doesNotExist();
        // Keys Docker objects use are fine: hex ids, names, IPv6 addresses.
        networks.put("3f2a.b_c-d:e@f", network("y", "y"));
        assertThat(networks.keys()).containsExactly("3f2a.b_c-d:e@f");
    }

    @Test
    void serialisationFailureChangesNothing() throws Exception {
        Store.Collection<Unserialisable> things = Store.open(root).collection("things", Unserialisable.class);
        things.put("k", new Unserialisable("text"));
        Path file = root.resolve("things/k.json");
        String before = Files.readString(file);
        assertThatThrownBy(() -> things.put("k", new Unserialisable(new Object())))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot serialise things/k");
        assertThat(things.get("k")).contains(new Unserialisable("text"));
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void collectionIsOneInstancePerNameAndType() {
        Store store = Store.open(root);
        assertThat(store.collection("networks", Network.class)).isSameAs(store.collection("networks", Network.class));
        assertThatThrownBy(() -> store.collection("networks", Bridge.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds");
    }

    @Test
    void createsTheDataRootPrivately() throws Exception {
        Path nested = root.resolve("a/b/data");
        Store store = Store.open(nested);
        store.collection("c", Bridge.class).put("x", new Bridge("br0"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
        assertThat(Files.readString(nested.resolve("c/x.json"), StandardCharsets.UTF_8)).contains("br0");
    }
}
