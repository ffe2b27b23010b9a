package dev.pier.api;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns one request into a {@link Response}: routing, the version check, the built-in ping, errors. Never throws. */
final class Dispatcher {

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final Router router;

    Dispatcher(Router router) {
        this.router = router;
    }

    Response dispatch(String method, String uri, HttpHeaders rawHeaders, InputStream body, ClientConnection client) {
        try {
            return route(method, uri, rawHeaders, body, client);
        } catch (ApiException e) {
            return error(e.status(), e.getMessage());
        } catch (Exception e) {
            if (client.gone()) {
                LOG.log(System.Logger.Level.DEBUG, () -> method + " " + uri + " failed after the client left: " + e);
            } else {
                LOG.log(System.Logger.Level.WARNING, method + " " + uri + " failed", e);
            }
            return error(500, e.getMessage() != null ? e.getMessage() : e.getClass().getName());
        }
    }

    private Response route(String method, String uri, HttpHeaders rawHeaders, InputStream body,
                           ClientConnection client) throws Exception {
        QueryStringDecoder decoded = QueryStringDecoder.builder().semicolonIsNormalChar(true).build(uri);
        List<String> segments = splitPath(decoded.rawPath());
        String versionText = null;
        if (!segments.isEmpty() && isVersionPrefix(segments.getFirst())) {
            versionText = segments.getFirst().substring(1);
            segments = segments.subList(1, segments.size());
        }

        boolean ping = segments.size() == 1 && segments.getFirst().equals("_ping")
                && (method.equals("GET") || method.equals("HEAD"));
        Router.Match match = ping ? null : router.match(method, segments);
        if (!ping && match == null) {
            return error(404, "page not found");
        }
        String version = checkVersion(versionText);
        if (ping) {
            return Ping.RESPONSE;
        }
        Request request = new Request(method, "/" + String.join("/", segments), match.pathParams(),
                immutableQuery(decoded.parameters()), lowerCaseHeaders(rawHeaders), body, version, client);
        Response response = match.handler().handle(request);
        if (response == null) {
            throw new IllegalStateException("handler of " + method + " " + request.path() + " returned no response");
        }
        return response;
    }

    private static String checkVersion(String versionText) {
        if (versionText == null) {
            return ApiVersion.MAX.toString();
        }
        ApiVersion version;
        try {
            version = ApiVersion.parse(versionText);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid API version in path: \"" + versionText + "\"");
        }
        if (version.compareTo(ApiVersion.MAX) > 0) {
            throw ApiException.badRequest("client version " + versionText
                    + " is too new. Maximum supported API version is " + ApiVersion.MAX);
        }
        if (version.compareTo(ApiVersion.MIN) < 0) {
            throw ApiException.badRequest("client version " + versionText
                    + " is too old. Minimum supported API version is " + ApiVersion.MIN
                    + ", please upgrade your client to a newer version");
        }
        return versionText;
    }

    static Response error(int status, String message) {
        if (status == 304) {
            return new Response.Empty(304);
        }
        return new Response.Json(status, errorJson(message));
    }

    /** Docker's error shape, {@code {"message":"..."}}, written by hand: it is on every error path. */
    static byte[] errorJson(String message) {
        byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(message == null ? "" : message);
        byte[] json = new byte[quoted.length + 14];
        System.arraycopy(ERROR_PREFIX, 0, json, 0, 12);
        System.arraycopy(quoted, 0, json, 12, quoted.length);
        json[json.length - 2] = '"';
        json[json.length - 1] = '}';
        return json;
    }

    private static final byte[] ERROR_PREFIX = "{\"message\":\"".getBytes(StandardCharsets.US_ASCII);

    /** Docker routes {@code /v{version:[0-9.]+}/...}. */
    private static boolean isVersionPrefix(String segment) {
        if (segment.length() < 2 || segment.charAt(0) != 'v') {
            return false;
        }
        for (int i = 1; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return false;
            }
        }
        return true;
    }

    /** Splits on raw slashes, then percent-decodes each segment ('+' stays '+' in a path); empty segments vanish. */
    static List<String> splitPath(String rawPath) {
        List<String> segments = new ArrayList<>(6);
        int start = 0;
        int length = rawPath.length();
        while (start <= length) {
            int slash = rawPath.indexOf('/', start);
            int end = slash < 0 ? length : slash;
            if (end > start) {
                segments.add(percentDecode(rawPath, start, end));
            }
            start = end + 1;
        }
        return segments;
    }

    private static String percentDecode(String text, int start, int end) {
        int percent = text.indexOf('%', start);
        if (percent < 0 || percent >= end) {
            return text.substring(start, end);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(end - start);
        int i = start;
        while (i < end) {
            percent = text.indexOf('%', i);
            int plainEnd = percent < 0 || percent >= end ? end : percent;
            bytes.writeBytes(text.substring(i, plainEnd).getBytes(StandardCharsets.UTF_8));
            i = plainEnd;
            if (i < end) {
                int high = i + 2 < end ? Character.digit(text.charAt(i + 1), 16) : -1;
                int low = i + 2 < end ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    throw ApiException.badRequest("invalid percent-escape in request path: " + text);
                }
                bytes.write(high << 4 | low);
                i += 3;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, List<String>> immutableQuery(Map<String, List<String>> parameters) {
        Map<String, List<String>> copy = new HashMap<>(parameters.size() * 2);
        parameters.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        return copy;
    }

    private static Map<String, String> lowerCaseHeaders(HttpHeaders headers) {
        Map<String, String> result = new HashMap<>(headers.size() * 2);
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            result.merge(name, header.getValue(), (first, next) -> first + ", " + next);
        }
        return result;
    }

    /** Docker's ping: also what clients read the API version from. */
    static final class Ping {
        static final Response RESPONSE = new Response.Text(200, "text/plain; charset=utf-8",
                "OK".getBytes(StandardCharsets.US_ASCII));

        private Ping() {
        }
    }
}
