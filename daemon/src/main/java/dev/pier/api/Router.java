package dev.pier.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps method + path to a {@link Handler}.
 *
 * <p>Patterns are {@code /}-separated segments: literals, {@code {name}} (one segment) and at most one
 * {@code {name:.*}} (one or more segments, for image names such as {@code docker.io/library/busybox}:
 * {@code /images/{name:.*}/json}). A request path matches with or without a {@code /v1.NN} prefix; the
 * server strips it before routing. A pattern made only of literals wins over patterns with parameters;
 * among those, the first added wins. A {@code HEAD} request without a HEAD route is served by the GET
 * route, headers only.
 *
 * <p>Add every route before handing the router to {@link ApiServer#start}; it is read-only afterwards.
 */
public final class Router {

    private static final Pattern METHOD = Pattern.compile("[A-Z]+");
    private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private sealed interface Segment {
        record Literal(String text) implements Segment {
        }

        record Param(String name) implements Segment {
        }

        /** One or more segments, joined back with {@code /}. */
        record Rest(String name) implements Segment {
        }
    }

    private record Route(String pattern, Segment[] segments, int restIndex, Handler handler) {
    }

    /** The handler for a path and the values of its parameters. */
    record Match(Handler handler, Map<String, String> pathParams) {
    }

    /** method -> literal path ("containers/json") -> route */
    private final Map<String, Map<String, Route>> literalRoutes = new HashMap<>();
    /** method -> routes with parameters, in the order added */
    private final Map<String, List<Route>> paramRoutes = new HashMap<>();
    private final Set<String> added = new HashSet<>();
    private volatile boolean frozen;

    public Router add(String method, String pattern, Handler handler) {
        Objects.requireNonNull(handler, "handler");
        if (method == null || !METHOD.matcher(method).matches()) {
            throw new IllegalArgumentException("HTTP method must be upper-case letters, e.g. GET: \"" + method + "\"");
        }
        Route route = compile(pattern, handler);
        synchronized (this) {
            if (frozen) {
                throw new IllegalStateException("routes must be added before the server starts: " + method + " " + pattern);
            }
            String key = method + " " + canonical(route.segments);
            if (!added.add(key)) {
                throw new IllegalArgumentException("route already added: " + method + " " + pattern);
            }
            if (route.restIndex < 0 && isAllLiteral(route.segments)) {
                literalRoutes.computeIfAbsent(method, m -> new HashMap<>()).put(literalKey(route.segments), route);
            } else {
                paramRoutes.computeIfAbsent(method, m -> new ArrayList<>()).add(route);
            }
        }
        return this;
    }

    public Router get(String pattern, Handler handler) {
        return add("GET", pattern, handler);
    }

    public Router head(String pattern, Handler handler) {
        return add("HEAD", pattern, handler);
    }

    public Router post(String pattern, Handler handler) {
        return add("POST", pattern, handler);
    }

    public Router put(String pattern, Handler handler) {
        return add("PUT", pattern, handler);
    }

    public Router delete(String pattern, Handler handler) {
        return add("DELETE", pattern, handler);
    }

    synchronized void freeze() {
        frozen = true;
    }

    /**
     * Finds the route for decoded, non-empty path segments (version prefix already removed), or null.
     * HEAD falls back to GET.
     */
    Match match(String method, List<String> segments) {
        Match match = matchMethod(method, segments);
        if (match == null && method.equals("HEAD")) {
            match = matchMethod("GET", segments);
        }
        return match;
    }

    private Match matchMethod(String method, List<String> segments) {
        Map<String, Route> literals = literalRoutes.get(method);
        if (literals != null && noSlashInside(segments)) {
            Route route = literals.get(String.join("/", segments));
            if (route != null) {
                return new Match(route.handler, Map.of());
            }
        }
        List<Route> routes = paramRoutes.get(method);
        if (routes != null) {
            for (Route route : routes) {
                Map<String, String> params = bind(route, segments);
                if (params != null) {
                    return new Match(route.handler, params);
                }
            }
        }
        return null;
    }

    private static Map<String, String> bind(Route route, List<String> path) {
        Segment[] pattern = route.segments;
        int restIndex = route.restIndex;
        if (restIndex < 0 ? path.size() != pattern.length : path.size() < pattern.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>(4);
        int head = restIndex < 0 ? pattern.length : restIndex;
        for (int i = 0; i < head; i++) {
            if (!bindOne(pattern[i], path.get(i), params)) {
                return null;
            }
        }
        if (restIndex >= 0) {
            int tail = pattern.length - restIndex - 1;
            int restEnd = path.size() - tail;
            for (int i = 0; i < tail; i++) {
                if (!bindOne(pattern[restIndex + 1 + i], path.get(restEnd + i), params)) {
                    return null;
                }
            }
            params.put(((Segment.Rest) pattern[restIndex]).name(), String.join("/", path.subList(restIndex, restEnd)));
        }
        return params;
    }

    private static boolean bindOne(Segment segment, String value, Map<String, String> params) {
        return switch (segment) {
            case Segment.Literal literal -> literal.text().equals(value);
            case Segment.Param param -> {
                params.put(param.name(), value);
                yield true;
            }
            case Segment.Rest rest -> throw new IllegalStateException("second rest segment in a route");
        };
    }

    private static Route compile(String pattern, Handler handler) {
        if (pattern == null || !pattern.startsWith("/")) {
            throw new IllegalArgumentException("route pattern must start with /: \"" + pattern + "\"");
        }
        if (pattern.indexOf('?') >= 0 || pattern.indexOf('#') >= 0) {
            throw new IllegalArgumentException("route pattern must not contain a query: \"" + pattern + "\"");
        }
        List<Segment> segments = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int restIndex = -1;
        for (String part : pattern.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            Segment segment = parseSegment(pattern, part);
            switch (segment) {
                case Segment.Param param -> requireUnique(pattern, names, param.name());
                case Segment.Rest rest -> {
                    requireUnique(pattern, names, rest.name());
                    if (restIndex >= 0) {
                        throw new IllegalArgumentException("route pattern may have one {name:.*} segment only: \"" + pattern + "\"");
                    }
                    restIndex = segments.size();
                }
                case Segment.Literal literal -> {
                }
            }
            segments.add(segment);
        }
        return new Route(pattern, segments.toArray(Segment[]::new), restIndex, handler);
    }

    private static Segment parseSegment(String pattern, String part) {
        boolean opens = part.startsWith("{");
        boolean closes = part.endsWith("}");
        if (!opens && !closes && part.indexOf('{') < 0 && part.indexOf('}') < 0) {
            return new Segment.Literal(part);
        }
        if (!opens || !closes) {
            throw new IllegalArgumentException("a route parameter must be a whole segment ({name}): \""
                    + part + "\" in \"" + pattern + "\"");
        }
        String inside = part.substring(1, part.length() - 1);
        boolean rest = inside.endsWith(":.*");
        String name = rest ? inside.substring(0, inside.length() - 3) : inside;
        if (!PARAM_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad route parameter \"" + part + "\" in \"" + pattern
                    + "\": use {name} or {name:.*}");
        }
        return rest ? new Segment.Rest(name) : new Segment.Param(name);
    }

    private static void requireUnique(String pattern, Set<String> names, String name) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("route parameter {" + name + "} appears twice in \"" + pattern + "\"");
        }
    }

    private static boolean isAllLiteral(Segment[] segments) {
        for (Segment segment : segments) {
            if (!(segment instanceof Segment.Literal)) {
                return false;
            }
        }
        return true;
    }

    private static String literalKey(Segment[] segments) {
        List<String> texts = new ArrayList<>(segments.length);
        for (Segment segment : segments) {
            texts.add(((Segment.Literal) segment).text());
        }
        return String.join("/", texts);
    }

    /** Same shape, same key: "/a/{x}" and "/a/{y}" collide. */
    private static String canonical(Segment[] segments) {
        StringBuilder key = new StringBuilder();
        for (Segment segment : segments) {
            key.append('/').append(switch (segment) {
                case Segment.Literal literal -> literal.text();
                case Segment.Param param -> "{}";
                case Segment.Rest rest -> "{*}";
            });
        }
        return key.toString();
    }

    private static boolean noSlashInside(List<String> segments) {
        for (String segment : segments) {
            if (segment.indexOf('/') >= 0) {
                return false;
            }
        }
        return true;
    }
}
