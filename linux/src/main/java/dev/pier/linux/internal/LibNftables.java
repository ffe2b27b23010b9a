package dev.pier.linux.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Downcalls into libnftables (nftables/libnftables.h). Loaded on first use; callers serialize
 * every call (see {@code Nftables}): the library keeps process-wide state besides each context.
 */
public final class LibNftables {
    private LibNftables() {}

    public static final String LIBRARY = "libnftables.so.1";

    public static final int NFT_CTX_DEFAULT = 0;
    public static final int NFT_CTX_OUTPUT_JSON = 1 << 4;
    /** nft_ctx_input_set_flags, nftables 1.0.7 and later. */
    public static final int NFT_CTX_INPUT_JSON = 1 << 1;

    private static final Linker LINKER = Linker.nativeLinker();

    /** The bound library, or the reason it could not be bound. */
    private record Bindings(MethodHandle ctxNew, MethodHandle ctxFree, MethodHandle bufferOutput,
                            MethodHandle bufferError, MethodHandle outputBuffer, MethodHandle errorBuffer,
                            MethodHandle outputSetFlags, Optional<MethodHandle> inputSetFlags, MethodHandle runCmd,
                            MethodHandle runFile) {}

    private static final class Holder {
        static final Bindings BINDINGS;
        static final String LOAD_ERROR;

        static {
            Bindings bindings = null;
            String error = null;
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
                bindings = new Bindings(
                        bind(lib, "nft_ctx_new", FunctionDescriptor.of(ADDRESS, JAVA_INT)),
                        bind(lib, "nft_ctx_free", FunctionDescriptor.ofVoid(ADDRESS)),
                        bind(lib, "nft_ctx_buffer_output", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        bind(lib, "nft_ctx_buffer_error", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        bind(lib, "nft_ctx_get_output_buffer", FunctionDescriptor.of(ADDRESS, ADDRESS)),
                        bind(lib, "nft_ctx_get_error_buffer", FunctionDescriptor.of(ADDRESS, ADDRESS)),
                        bind(lib, "nft_ctx_output_set_flags", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT)),
                        lib.find("nft_ctx_input_set_flags").map(symbol ->
                                LINKER.downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT))),
                        bind(lib, "nft_run_cmd_from_buffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        bind(lib, "nft_run_cmd_from_filename", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)));
            } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
                error = "cannot load " + LIBRARY + " (install the libnftables1 package): " + e.getMessage();
            }
            BINDINGS = bindings;
            LOAD_ERROR = error;
        }

        private static MethodHandle bind(SymbolLookup lib, String name, FunctionDescriptor descriptor) {
            return LINKER.downcallHandle(lib.find(name).orElseThrow(() ->
                    new java.util.NoSuchElementException("symbol " + name + " missing")), descriptor);
        }
    }

    /** Null when the library is usable, else why not. */
    public static String loadError() {
        return Holder.LOAD_ERROR;
    }

    private static Bindings lib() {
        if (Holder.BINDINGS == null) throw new IllegalStateException(Holder.LOAD_ERROR);
        return Holder.BINDINGS;
    }

    /** True when this libnftables has input flags (1.0.7+); before that, JSON input follows the JSON output flag. */
    public static boolean hasInputFlags() {
        return lib().inputSetFlags().isPresent();
    }

    /** A context with buffered output and error; NULL never comes back (the library aborts instead). */
    public static MemorySegment newContext() {
        try {
            MemorySegment ctx = (MemorySegment) lib().ctxNew().invokeExact(NFT_CTX_DEFAULT);
            if (ctx.equals(MemorySegment.NULL)) throw new IllegalStateException("nft_ctx_new returned NULL");
            int rcOut = (int) lib().bufferOutput().invokeExact(ctx);
            int rcErr = (int) lib().bufferError().invokeExact(ctx);
            if (rcOut != 0 || rcErr != 0) {
                freeContext(ctx);
                throw new IllegalStateException("libnftables could not buffer its output");
            }
            return ctx;
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static void freeContext(MemorySegment ctx) {
        try {
            lib().ctxFree().invokeExact(ctx);
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static void setOutputFlags(MemorySegment ctx, int flags) {
        try {
            lib().outputSetFlags().invokeExact(ctx, flags);
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** No-op on libraries without input flags. */
    public static void setInputFlags(MemorySegment ctx, int flags) {
        Optional<MethodHandle> handle = lib().inputSetFlags();
        if (handle.isEmpty()) return;
        try {
            int ignoredPrevious = (int) handle.get().invokeExact(ctx, flags);
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** nft_run_cmd_from_buffer: 0 on success. */
    public static int runCommand(MemorySegment ctx, String buffer) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) lib().runCmd().invokeExact(ctx, arena.allocateFrom(buffer));
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** nft_run_cmd_from_filename: 0 on success. Same single transaction as a buffer. */
    public static int runFile(MemorySegment ctx, String path) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) lib().runFile().invokeExact(ctx, arena.allocateFrom(path));
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** The buffered output since the last read (the library rewinds it). */
    public static String takeOutput(MemorySegment ctx) {
        try {
            return cString((MemorySegment) lib().outputBuffer().invokeExact(ctx));
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** The buffered error text since the last read (the library rewinds it). */
    public static String takeError(MemorySegment ctx) {
        try {
            return cString((MemorySegment) lib().errorBuffer().invokeExact(ctx));
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    private static String cString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) return "";
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
