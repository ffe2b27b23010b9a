package dev.pier.api.routes;

import dev.pier.api.ApiException;
import dev.pier.api.Request;
import dev.pier.api.Response;
import dev.pier.api.Router;
import dev.pier.api.wire.ImageWire;
import dev.pier.image.Image;
import dev.pier.image.ImageStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pier.api.routes.Errors.mapped;

/** /images/...: import, load, list, inspect, tag, remove. There is no registry to pull from. */
public final class ImageRoutes {
    private final ImageStore images;

    public ImageRoutes(ImageStore images) {
        this.images = images;
    }

    public void register(Router router) {
        router.get("/images/json", mapped(r -> {
            // `docker images NAME[:TAG]` sends {"reference": [...]}.
            Filters f = Filters.parse(r.query("filters", ""), List.of("reference", "dangling"));
            List<Object> out = new ArrayList<>();
            images.list().stream().sorted(Comparator.comparing(Image::created, Comparator.nullsLast(Comparator.reverseOrder())))
                    .filter(i -> f.matches("reference", ref -> i.repoTags().stream().anyMatch(t -> referenceMatches(ref, t))))
                    .filter(i -> f.matches("dangling", d -> Boolean.parseBoolean(d) == i.repoTags().isEmpty()))
                    .forEach(i -> out.add(ImageWire.summary(i)));
            return Response.ok(out);
        }));
        router.get("/images/{name}/json", mapped(r -> Response.ok(ImageWire.inspect(require(r.pathParam("name"))))));
        router.post("/images/create", mapped(this::create));
        router.post("/images/load", mapped(this::load));
        router.post("/images/{name}/tag", mapped(r -> {
            Image image = require(r.pathParam("name"));
            String repo = r.query("repo", "");
            if (repo.isEmpty()) throw ApiException.badRequest("repository name must have at least one component");
            images.tag(image.id(), repo + ":" + r.query("tag", "latest"));
            return Response.empty(201);
        }));
        router.delete("/images/{name}", mapped(r -> {
            require(r.pathParam("name"));
            List<Object> out = new ArrayList<>();
            for (String line : images.remove(r.pathParam("name"), r.queryBool("force"))) {
                int colon = line.indexOf(": ");
                out.add(Map.of(line.substring(0, colon), line.substring(colon + 2)));
            }
            return Response.ok(out);
        }));
    }

    private Image require(String ref) {
        return images.find(ref).orElseThrow(() -> ApiException.notFound("No such image: " + ref));
    }

    /** `docker import`: the body is the root filesystem tar (fromSrc=-). */
    private Response create(Request r) {
        String fromSrc = r.query("fromSrc", "");
        if (fromSrc.isEmpty())
            throw ApiException.notFound("pull access denied for " + r.query("fromImage", "") + ": Pier has no registry; use import or load");
        if (!fromSrc.equals("-")) throw ApiException.badRequest("import from a URL is not supported: " + fromSrc);
        String repo = r.query("repo", "");
        String tag = r.query("tag", "");
        String repoTag = repo.isEmpty() ? null : (repo.contains(":") && tag.isEmpty() ? repo : repo + ":" + (tag.isEmpty() ? "latest" : tag));
        Image image = images.importRootfs(r.body(), repoTag, null);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("status", image.id());
        return new Response.Json(200, dev.pier.api.Json.write(status));
    }

    /** `docker load`: a `docker save` archive; answers with the JSON message stream the CLI prints. */
    private Response load(Request r) {
        List<Image> loaded = images.load(r.body());
        StringBuilder sb = new StringBuilder();
        for (Image i : loaded) {
            List<String> names = i.repoTags().isEmpty() ? List.of(i.id()) : i.repoTags();
            for (String n : names) {
                String label = i.repoTags().isEmpty() ? "Loaded image ID: " : "Loaded image: ";
                sb.append(new String(dev.pier.api.Json.write(Map.of("stream", label + n + "\n")))).append('\n');
            }
        }
        return new Response.Text(200, "application/json", sb.toString().getBytes());
    }

    /**
     * Docker's reference filter: a glob over "repo:tag" when it names a tag, over the repository
     * alone when not ("busybox" matches every busybox tag).
     */
    static boolean referenceMatches(String pattern, String repoTag) {
        int colon = repoTag.lastIndexOf(':');
        String repo = colon > repoTag.lastIndexOf('/') ? repoTag.substring(0, colon) : repoTag;
        boolean withTag = pattern.lastIndexOf(':') > pattern.lastIndexOf('/');
        return glob(pattern).matcher(withTag ? repoTag : repo).matches();
    }

    private static java.util.regex.Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append("[^/]*");
                case '?' -> regex.append("[^/]");
                default -> regex.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return java.util.regex.Pattern.compile(regex.toString());
    }
}
