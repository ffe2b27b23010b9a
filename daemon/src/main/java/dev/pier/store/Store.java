package dev.pier.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Pier's local state: one JSON file per object under {@code <dataRoot>/<collection>/<key>.json}, each
 * write made durable (temp file, fsync, atomic rename, fsync of the directory; about 0.7 ms here), every
 * collection read into memory when first opened. No database, no dependency beyond Jackson.
 *
 * <p>One daemon owns a data root: two processes writing the same root are not coordinated.
 * Thread-safe.
 */
public final class Store {

    /** Collection names and keys become file names: keep them portable and free of path tricks. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}");

    private final Path root;
    private final ObjectMapper mapper;
    private final Map<String, Collection<?>> collections = new HashMap<>();

    private Store(Path root, ObjectMapper mapper) {
        this.root = root;
        this.mapper = mapper;
    }

    /** Opens (creating if needed, mode 0700) the store under {@code dataRoot} with {@link #defaultMapper()}. */
    public static Store open(Path dataRoot) {
        return open(dataRoot, defaultMapper());
    }

    /**
     * Opens the store with a caller's mapper, for value types that need modules of their own. The mapper
     * must not be reconfigured afterwards.
     */
    public static Store open(Path dataRoot, ObjectMapper mapper) {
        Objects.requireNonNull(dataRoot, "dataRoot");
        Objects.requireNonNull(mapper, "mapper");
        Path root = dataRoot.toAbsolutePath().normalize();
        createPrivateDirectories(root);
        return new Store(root, mapper);
    }

    /**
     * Records, {@code Optional} (empty written as null), {@code Instant} and other java.time values as
     * ISO-8601 text, pretty-printed so an operator can read the files; unknown properties are ignored so a
     * file written by a newer Pier still loads.
     */
    public static ObjectMapper defaultMapper() {
        return JsonMapper.builder()
                .addModule(new Jdk8Module())
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
    }

    public Path root() {
        return root;
    }

    /**
     * The collection {@code name} holding values of {@code type}, loading its files on first use. Files
     * that do not parse are renamed {@code <key>.json.corrupt}, logged and skipped; temp files left by a
     * crash are deleted. Asking again returns the same instance; asking with another type is an error.
     */
    public synchronized <T extends Record> Collection<T> collection(String name, Class<T> type) {
        Objects.requireNonNull(type, "type");
        checkName("collection name", name);
        Collection<?> existing = collections.get(name);
        if (existing != null) {
            if (existing.type() != type) {
                throw new IllegalArgumentException("store collection " + name + " holds " + existing.type().getName()
                        + ", not " + type.getName());
            }
            @SuppressWarnings("unchecked")
            Collection<T> same = (Collection<T>) existing;
            return same;
        }
        Path dir = root.resolve(name);
        createPrivateDirectories(dir);
        Collection<T> created = Collection.load(name, type, dir, mapper);
        collections.put(name, created);
        return created;
    }

    static void checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid store " + what + " " + (name == null ? "null" : '"' + name + '"')
                    + ": use 1-200 letters, digits and _ . : @ -, starting with a letter or digit");
        }
    }

    private static void createPrivateDirectories(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                fsyncDirectory(dir.getParent());
            }
        } catch (IOException e) {
            throw new StoreException("cannot create store directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Makes a rename or unlink in {@code dir} durable. */
    static void fsyncDirectory(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * One kind of object in the {@link Store}: a directory of {@code <key>.json} files mirrored in memory.
     * Reads never touch the disk. A write returns once the file and its directory entry are on disk; writes
     * to different keys proceed in parallel, writes to one key are serialised. Thread-safe.
     */
    public static final class Collection<T extends Record> {

        private static final System.Logger LOG = System.getLogger(Collection.class.getName());
        private static final String SUFFIX = ".json";
        private static final String TEMP_SUFFIX = ".json.tmp";
        private static final String CORRUPT_SUFFIX = ".json.corrupt";
        /** Enough stripes that unrelated keys rarely wait for each other's fsync. */
        private static final int LOCK_STRIPES = 64;

        private final String name;
        private final Class<T> type;
        private final Path dir;
        private final ObjectMapper mapper;
        private final ConcurrentSkipListMap<String, T> values = new ConcurrentSkipListMap<>();
        private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

        private Collection(String name, Class<T> type, Path dir, ObjectMapper mapper) {
            this.name = name;
            this.type = type;
            this.dir = dir;
            this.mapper = mapper;
            for (int i = 0; i < locks.length; i++) {
                locks[i] = new ReentrantLock();
            }
        }

        static <T extends Record> Collection<T> load(String name, Class<T> type, Path dir, ObjectMapper mapper) {
            Collection<T> collection = new Collection<>(name, type, dir, mapper);
            collection.readAll();
            return collection;
        }

        public String name() {
            return name;
        }

        public Class<T> type() {
            return type;
        }

        /**
         * Stores {@code value} under {@code key}, replacing any previous value, durably. If the value cannot be
         * serialised or the disk write fails, a {@link StoreException} is thrown and both the file and the
         * in-memory value stay as they were.
         */
        public void put(String key, T value) {
            checkName("key", key);
            Objects.requireNonNull(value, "value");
            byte[] json;
            try {
                json = mapper.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new StoreException("cannot serialise " + name + "/" + key + ": " + e.getMessage(), e);
            }
            ReentrantLock lock = lockFor(key);
            lock.lock();
            try {
                writeDurably(key, json);
                values.put(key, value);
            } finally {
                lock.unlock();
            }
        }

        public Optional<T> get(String key) {
            Objects.requireNonNull(key, "key");
            return Optional.ofNullable(values.get(key));
        }

        public boolean containsKey(String key) {
            return values.containsKey(Objects.requireNonNull(key, "key"));
        }

        /** Deletes {@code key} durably; returns the value it had, empty if there was none. */
        public Optional<T> remove(String key) {
            checkName("key", key);
            ReentrantLock lock = lockFor(key);
            lock.lock();
            try {
                if (!values.containsKey(key)) {
                    return Optional.empty();
                }
                try {
                    Files.deleteIfExists(fileOf(key));
                    fsyncDirectory(dir);
                } catch (IOException e) {
                    throw new StoreException("cannot delete " + fileOf(key) + ": " + e.getMessage(), e);
                }
                return Optional.ofNullable(values.remove(key));
            } finally {
                lock.unlock();
            }
        }

        /** Every value, in key order; a snapshot that later writes do not change. */
        public List<T> values() {
            return List.copyOf(values.values());
        }

        /** Every key, in order; a snapshot. */
        public List<String> keys() {
            return List.copyOf(values.keySet());
        }

        public int size() {
            return values.size();
        }

        private ReentrantLock lockFor(String key) {
            return locks[Math.floorMod(key.hashCode(), LOCK_STRIPES)];
        }

        private Path fileOf(String key) {
            return dir.resolve(key + SUFFIX);
        }

        private void writeDurably(String key, byte[] json) {
            // The key's lock is held, so one fixed temp name per key is enough; the leading dot keeps it out of
            // the key space (keys start with a letter or digit).
            Path temp = dir.resolve("." + key + TEMP_SUFFIX);
            Path target = fileOf(key);
            try {
                try (FileChannel out = FileChannel.open(temp,
                        Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                    ByteBuffer buffer = ByteBuffer.wrap(json);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    out.force(true);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                fsyncDirectory(dir);
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw new StoreException("cannot write " + target + ": " + e.getMessage(), e);
            }
        }

        private void readAll() {
            boolean renamedOrDeleted = false;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path file : entries) {
                    String fileName = file.getFileName().toString();
                    if (fileName.startsWith(".") && fileName.endsWith(TEMP_SUFFIX)) {
                        // A write that crashed before its rename: the previous file, if any, is still intact.
                        Files.deleteIfExists(file);
                        LOG.log(Level.INFO, "store {0}: removed unfinished write {1}", name, file);
                        renamedOrDeleted = true;
                        continue;
                    }
                    if (!fileName.endsWith(SUFFIX) || !Files.isRegularFile(file)) {
                        continue;
                    }
                    String key = fileName.substring(0, fileName.length() - SUFFIX.length());
                    if (!NAME.matcher(key).matches()) {
                        LOG.log(Level.WARNING, "store {0}: ignoring {1}: not a valid key", name, file);
                        continue;
                    }
                    T value = readOrQuarantine(file, key);
                    if (value == null) {
                        renamedOrDeleted = true;
                    } else {
                        values.put(key, value);
                    }
                }
                if (renamedOrDeleted) {
                    fsyncDirectory(dir);
                }
            } catch (IOException e) {
                throw new StoreException("cannot read store collection " + dir + ": " + e.getMessage(), e);
            }
        }

        /** The file's value, or null after renaming an unreadable file to {@code .corrupt}. */
        private T readOrQuarantine(Path file, String key) throws IOException {
            Exception problem;
            try {
                T value = mapper.readValue(Files.readAllBytes(file), type);
                if (value != null) {
                    return value;
                }
                problem = new IOException("the file holds JSON null");
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException | RuntimeException e) {
                // Jackson reports bad JSON and values a record constructor refuses alike; either way the file
                // must not stop the daemon.
                problem = e;
            }
            Path quarantine = dir.resolve(key + CORRUPT_SUFFIX);
            Files.move(file, quarantine, StandardCopyOption.REPLACE_EXISTING);
            LOG.log(Level.WARNING, "store {0}: skipped unreadable {1} (kept as {2}): {3}", name, file, quarantine.getFileName(),
                    problem.getMessage());
            return null;
        }

        @Override
        public String toString() {
            return "Collection[" + name + ", " + type.getSimpleName() + ", " + values.size() + " values]";
        }
    }
}
