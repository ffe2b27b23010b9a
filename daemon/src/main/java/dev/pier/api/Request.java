package dev.pier.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One Engine API request as a handler sees it.
 *
 * @param method     upper-case HTTP method
 * @param path       decoded path without the query and without the {@code /v1.NN} prefix
 * @param pathParams values of the route's {@code {name}} segments, decoded
 * @param query      decoded query parameters, each with all its values in order
 * @param headers    header names in lower case; repeated headers joined with {@code ", "}
 * @param body       the request body, streamed as it arrives (never buffered whole by the server); empty
 *                   when there is none
 * @param apiVersion the version of the {@code /v1.NN} prefix, or the server's maximum without one
 * @param client     whether the client is still connected
 */
public record Request(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                      Map<String, String> headers, InputStream body, String apiVersion, ClientConnection client) {

    /** Largest JSON body {@link #bodyJson} accepts: container configs are kilobytes. */
    public static final int MAX_JSON_BODY = 16 * 1024 * 1024;

    public Request {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        pathParams = Map.copyOf(pathParams);
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(client, "client");
    }

    /** A request whose client never leaves, for building requests outside the server. */
    public Request(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                   Map<String, String> headers, InputStream body, String apiVersion) {
        this(method, path, pathParams, query, headers, body, apiVersion, ClientConnection.NEVER_GONE);
    }

    /** The value of a route's {@code {name}} segment; asking for one the route does not declare is a bug. */
    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalArgumentException("route of " + path + " has no path parameter {" + name + "}");
        }
        return value;
    }

    /** The first value of a query parameter. */
    public Optional<String> query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    public String query(String name, String fallback) {
        return query(name).orElse(fallback);
    }

    public List<String> queryAll(String name) {
        return query.getOrDefault(name, List.of());
    }

    /**
     * Docker's truthiness: absent, empty, {@code 0}, {@code no}, {@code false} and {@code none} (any case)
     * are false, every other value is true.
     */
    public boolean queryBool(String name) {
        return queryBool(name, false);
    }

    /** As {@link #queryBool(String)}, but {@code fallback} when the parameter is absent. */
    public boolean queryBool(String name, boolean fallback) {
        Optional<String> raw = query(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        return switch (raw.get().strip().toLowerCase(Locale.ROOT)) {
            case "", "0", "no", "false", "none" -> false;
            default -> true;
        };
    }

    /** An integer parameter; {@code fallback} when absent or empty, a 400 when not an integer. */
    public int queryInt(String name, int fallback) {
        long value = queryLong(name, fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw ApiException.badRequest("invalid value for query parameter " + name + ": \""
                    + query(name).orElse("") + "\" is out of range");
        }
        return (int) value;
    }

    public long queryLong(String name, long fallback) {
        String raw = query(name).map(String::strip).orElse("");
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid value for query parameter " + name + ": \"" + raw
                    + "\" is not an integer");
        }
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The client sent {@code Upgrade:} (docker CLI attach/exec): a hijack answers 101, not 200. */
    public boolean wantsUpgrade() {
        return headers.containsKey("upgrade");
    }

    public ApiVersion version() {
        return ApiVersion.parse(apiVersion);
    }

    /** For behaviour that changed between API versions, e.g. {@code apiVersionAtLeast("1.42")}. */
    public boolean apiVersionAtLeast(String version) {
        return version().isAtLeast(ApiVersion.parse(version));
    }

    /** Reads the whole body, refusing (413) one longer than {@code limit} bytes. */
    public byte[] bodyBytes(int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = body.read(buffer)) >= 0) {
            if (out.size() + n > limit) {
                throw new ApiException(413, "request body is larger than " + limit + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * Reads the body as JSON. Like Docker, a missing {@code Content-Type} is fine (the docker CLI omits it
     * at times) but another type than JSON is a 400.
     */
    public <T> T bodyJson(Class<T> type) throws IOException {
        Optional<String> contentType = header("content-type");
        if (contentType.isPresent() && !isJson(contentType.get())) {
            throw ApiException.badRequest("unsupported Content-Type header (" + contentType.get()
                    + "): must be 'application/json'");
        }
        return Json.read(bodyBytes(MAX_JSON_BODY), type);
    }

    private static boolean isJson(String contentType) {
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return mediaType.isEmpty() || mediaType.equalsIgnoreCase("application/json");
    }
}
