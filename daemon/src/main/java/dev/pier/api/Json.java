package dev.pier.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The one Jackson mapper of the Engine API, shaped like Go's encoding/json as Docker uses it.
 *
 * <ul>
 *   <li>unknown properties are ignored (newer clients send fields we do not know);</li>
 *   <li>property names match case-insensitively, as Go does when decoding ({@code "image"} fills
 *       {@code Image});</li>
 *   <li>nulls are written: Docker writes {@code null} for many absent values, so each wire record decides
 *       with {@code @JsonInclude} where it omits instead.</li>
 * </ul>
 */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    // Jackson's default recycles buffers per thread; every request has a fresh virtual
                    // thread, so that would allocate them anew each time. A shared bounded pool does not.
                    .recyclerPool(JsonRecyclerPools.sharedBoundedPool())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private Json() {
    }

    /** The shared mapper, for what the helpers below do not cover (type references, trees). Do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            // Our own types failing to serialise is a bug, not a client error.
            throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Reads a request body; malformed JSON is the client's fault: a 400 {@code invalid JSON: ...}. */
    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw invalid(e);
        }
    }

    /** As {@link #read(byte[], Class)}, from a stream; an I/O failure of the stream itself stays an I/O error. */
    public static <T> T read(InputStream json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw invalid(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read request body: " + e.getMessage(), e);
        }
    }

    private static ApiException invalid(IOException e) {
        String detail = e instanceof MismatchedInputException m && m.getOriginalMessage().startsWith("No content")
                ? "EOF"
                : e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
        return new ApiException(400, "invalid JSON: " + detail, e);
    }
}
