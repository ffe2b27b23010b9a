package dev.pier.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final Handler A = request -> Response.noContent();
    private static final Handler B = request -> Response.noContent();
    private static final Handler C = request -> Response.noContent();

    private static List<String> path(String path) {
        return Dispatcher.splitPath(path);
    }

    @Test
    void matchesLiteralsAndParameters() {
        Router router = new Router().get("/containers/json", A).get("/containers/{id}/json", B);
        assertThat(router.match("GET", path("/containers/json")).handler()).isSameAs(A);
        Router.Match match = router.match("GET", path("/containers/abc/json"));
        assertThat(match.handler()).isSameAs(B);
        assertThat(match.pathParams()).containsExactlyEntriesOf(java.util.Map.of("id", "abc"));
        assertThat(router.match("GET", path("/containers/abc"))).isNull();
        assertThat(router.match("POST", path("/containers/json"))).isNull();
    }

    @Test
    void literalRouteWinsOverParameterRouteWhateverTheOrder() {
        Router router = new Router().post("/networks/{id}", A).post("/networks/prune", B).post("/networks/create", C);
        assertThat(router.match("POST", path("/networks/prune")).handler()).isSameAs(B);
        assertThat(router.match("POST", path("/networks/create")).handler()).isSameAs(C);
        assertThat(router.match("POST", path("/networks/n1")).handler()).isSameAs(A);
    }

    @Test
    void restParameterTakesSeveralSegments() {
        Router router = new Router()
                .get("/images/{name:.*}/json", A)
                .delete("/images/{name:.*}", B)
                .get("/images/json", C);
        Router.Match inspect = router.match("GET", path("/images/docker.io/library/busybox:latest/json"));
        assertThat(inspect.handler()).isSameAs(A);
        assertThat(inspect.pathParams().get("name")).isEqualTo("docker.io/library/busybox:latest");
        assertThat(router.match("GET", path("/images/json")).handler()).isSameAs(C);
        assertThat(router.match("GET", path("/images/busybox/json")).pathParams().get("name")).isEqualTo("busybox");
        assertThat(router.match("DELETE", path("/images/quay.io/a/b")).pathParams().get("name")).isEqualTo("quay.io/a/b");
        // Greedy, as Docker's {name:.*}: the last "json" closes the pattern.
        assertThat(router.match("GET", path("/images/a/json/json")).pathParams().get("name")).isEqualTo("a/json");
        assertThat(router.match("GET", path("/images"))).isNull();
    }

    @Test
    void headFallsBackToGet() {
        Router router = new Router().get("/containers/{id}/archive", A);
        assertThat(router.match("HEAD", path("/containers/x/archive")).handler()).isSameAs(A);
        router = new Router().get("/containers/{id}/archive", A).head("/containers/{id}/archive", B);
        assertThat(router.match("HEAD", path("/containers/x/archive")).handler()).isSameAs(B);
    }

    @Test
    void emptySegmentsAndTrailingSlashAreIgnored() {
        Router router = new Router().get("/containers/{id}/json", A);
        assertThat(router.match("GET", path("//containers/abc/json/")).pathParams().get("id")).isEqualTo("abc");
    }

    @Test
    void percentEscapesAreDecodedPerSegment() {
        assertThat(path("/images/my%2Fimage/json")).containsExactly("images", "my/image", "json");
        assertThat(path("/a+b/%C3%A9")).containsExactly("a+b", "é");
        assertThatThrownBy(() -> path("/bad%2")).isInstanceOf(ApiException.class).hasMessageContaining("percent-escape");
        assertThatThrownBy(() -> path("/bad%zz")).isInstanceOf(ApiException.class);
    }

    @Test
    void badRoutesAreRefusedWithClearMessages() {
        Router router = new Router().get("/containers/{id}/json", A);
        assertThatThrownBy(() -> router.get("/containers/{name}/json", B))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already added");
        assertThatThrownBy(() -> router.get("containers", B)).hasMessageContaining("must start with /");
        assertThatThrownBy(() -> router.get("/a/{id}x", B)).hasMessageContaining("whole segment");
        assertThatThrownBy(() -> router.get("/a/{1d}", B)).hasMessageContaining("bad route parameter");
        assertThatThrownBy(() -> router.get("/a/{id}/{id}", B)).hasMessageContaining("twice");
        assertThatThrownBy(() -> router.get("/a/{x:.*}/{y:.*}", B)).hasMessageContaining("one {name:.*}");
        assertThatThrownBy(() -> router.get("/a?b=1", B)).hasMessageContaining("query");
        assertThatThrownBy(() -> router.add("get", "/x", B)).hasMessageContaining("upper-case");
        assertThatThrownBy(() -> router.add("GET", "/x", null)).isInstanceOf(NullPointerException.class);
        // Nothing half-added by the failures.
        assertThat(router.match("GET", path("/a/1"))).isNull();
    }
}
