package dev.pier.cli.command;

import dev.pier.cli.Cli;
import dev.pier.cli.CliError;
import dev.pier.cli.args.FlagSet;
import dev.pier.cli.args.Parsed;
import dev.pier.cli.format.ImageRow;
import dev.pier.cli.format.ListFormatter;
import dev.pier.cli.format.TemplateException;
import dev.pier.cli.http.ApiClient;
import dev.pier.cli.http.ApiClient.Query;
import dev.pier.cli.http.Response;
import dev.pier.cli.json.Json;
import dev.pier.cli.json.JsonReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** images, image ls/inspect/rm, rmi, import, load, tag. */
public final class ImageCommands {
    static final String USAGE = """

            Usage:  pier image COMMAND

            Manage images

            Commands:
              import      Import the contents from a tarball to create a filesystem image
              inspect     Display detailed information on one or more images
              load        Load an image from a tar archive or STDIN
              ls          List images
              rm          Remove one or more images
              tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE

            Run 'pier image COMMAND --help' for more information on a command.
            """;

    private ImageCommands() {
    }

    public static int dispatch(Cli cli, String[] args, int from) throws CliError, IOException {
        if (from >= args.length || args[from].equals("--help") || args[from].equals("-h")) {
            throw new CliError.Help(USAGE);
        }
        String sub = args[from];
        return switch (sub) {
            case "ls", "list" -> images(cli, "image ls", args, from + 1);
            case "inspect" -> InspectCommand.typed(cli, "image inspect", "image", args, from + 1);
            case "rm", "remove" -> rmi(cli, "image rm", args, from + 1);
            case "import" -> importImage(cli, "image import", args, from + 1);
            case "load" -> load(cli, "image load", args, from + 1);
            case "tag" -> tag(cli, "image tag", args, from + 1);
            default -> throw NetworkCommands.unknown("image", sub);
        };
    }

    private static String path(String image, String rest) {
        return "/images/" + ApiClient.segment(image) + rest;
    }

    // ---- images ----------------------------------------------------------------------------------------

    public static int images(Cli cli, String command, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet(command, "[OPTIONS] [REPOSITORY[:TAG]]", "List images")
                .bool("all", 'a', "Show all images (default hides intermediate images)")
                .bool("digests", (char) 0, "Show digests")
                .list("filter", 'f', "Filter output based on conditions provided")
                .string("format", (char) 0, "string", "Format output using a custom template")
                .bool("no-trunc", (char) 0, "Don't truncate output")
                .bool("quiet", 'q', "Only show image IDs")
                .aliases("pier image ls, pier image list, pier images");
        Parsed p = flags.parse(args, from);
        if (p.args().size() > 1) {
            throw flags.argumentError("'" + flags.usageName() + "' requires at most 1 argument", false);
        }
        List<String> filterValues = new ArrayList<>(p.list("filter"));
        if (p.args().size() == 1) {
            filterValues.add("reference=" + p.arg(0));
        }
        String format = p.string("format", "");
        if (format.isEmpty() || format.equals("table")) {
            if (p.bool("quiet")) {
                format = "{{.ID}}";
            } else if (p.bool("digests")) {
                format = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
            } else {
                format = ImageRow.DEFAULT_TABLE;
            }
        }
        Query query = new Query().addIf(p.bool("all"), "all", "1");
        String filters = Support.filters(flags, filterValues);
        if (filters != null) {
            query.add("filters", filters);
        }
        List<Object> images = Json.array(cli.api().getJson("/images/json" + query));
        boolean truncate = !p.bool("no-trunc");
        long now = cli.nowMillis();
        List<ImageRow> rows = new ArrayList<>();
        for (Object image : images) {
            rows.addAll(ImageRow.rows(Json.object(image), truncate, now));
        }
        try {
            cli.out().print(ListFormatter.render(format, rows, ImageRow.header()));
        } catch (TemplateException e) {
            throw new CliError.Failure(e.getMessage());
        }
        return 0;
    }

    // ---- rmi ---------------------------------------------------------------------------------------

    public static int rmi(Cli cli, String command, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet(command, "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images")
                .bool("force", 'f', "Force removal of the image")
                .bool("no-prune", (char) 0, "Do not delete untagged parents")
                .aliases("pier image rm, pier image remove, pier rmi");
        Parsed p = flags.parse(args, from);
        p.minArgs(1);
        Query query = new Query().addIf(p.bool("force"), "force", "1").addIf(p.bool("no-prune"), "noprune", "1");
        List<String> errors = new ArrayList<>();
        for (String name : p.args()) {
            try (Response response = cli.api().request("DELETE", path(name, query.toString()), null, null)) {
                if (!response.ok()) {
                    errors.add(response.error().getMessage());
                    continue;
                }
                for (Object item : Json.array(response.json())) {
                    Map<String, Object> deleted = Json.object(item);
                    String untagged = Json.string(deleted, "Untagged");
                    if (!untagged.isEmpty()) {
                        cli.out().println("Untagged: " + untagged);
                    }
                    String removed = Json.string(deleted, "Deleted");
                    if (!removed.isEmpty()) {
                        cli.out().println("Deleted: " + removed);
                    }
                }
            }
        }
        return Support.finish(cli, errors);
    }

    // ---- tag ---------------------------------------------------------------------------------------

    public static int tag(Cli cli, String command, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet(command, "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
                .aliases("pier image tag, pier tag");
        Parsed p = flags.parse(args, from);
        p.exactArgs(2);
        String[] target = splitReference(p.arg(1));
        Query query = new Query().add("repo", target[0]).add("tag", target[1].isEmpty() ? "latest" : target[1]);
        try (Response response = cli.api().request("POST", path(p.arg(0), "/tag" + query), null, null).check()) {
            response.bytes();
        }
        return 0;
    }

    /** {@code repo[:tag]} checked for Docker's basic rules; the daemon does the rest. */
    static String[] splitReference(String reference) throws CliError.Failure {
        int colon = ImageRow.tagSeparator(reference);
        String repository = colon < 0 ? reference : reference.substring(0, colon);
        String tag = colon < 0 ? "" : reference.substring(colon + 1);
        String problem = null;
        if (repository.isEmpty() || reference.indexOf('@') >= 0) {
            problem = "invalid reference format";
        } else if (!repository.toLowerCase(Locale.ROOT).equals(repository)) {
            problem = "invalid reference format: repository name (" + repository + ") must be lowercase";
        } else if (colon >= 0 && !validTag(tag)) {
            problem = "invalid reference format";
        } else {
            for (int i = 0; i < repository.length(); i++) {
                char c = repository.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/'
                        || c == ':')) {
                    problem = "invalid reference format";
                    break;
                }
            }
        }
        if (problem != null) {
            throw new CliError.Failure("Error parsing reference: \"" + reference + "\" is not a valid repository/tag: " + problem);
        }
        return new String[] {repository, tag};
    }

    private static boolean validTag(String tag) {
        if (tag.isEmpty() || tag.length() > 128 || tag.charAt(0) == '.' || tag.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_' && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    // ---- import ------------------------------------------------------------------------------------

    public static int importImage(Cli cli, String command, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet(command, "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
                "Import the contents from a tarball to create a filesystem image")
                .list("change", 'c', "Apply Dockerfile instruction to the created image")
                .string("message", 'm', "string", "Set commit message for imported image")
                .string("platform", (char) 0, "string", "Set platform if server is multi-platform capable")
                .aliases("pier image import, pier import");
        Parsed p = flags.parse(args, from);
        p.rangeArgs(1, 2);
        String source = p.arg(0);
        Query query = new Query();
        boolean url = source.startsWith("http://") || source.startsWith("https://");
        query.add("fromSrc", url ? source : "-");
        if (p.args().size() == 2) {
            String[] reference = splitReference(p.arg(1));
            query.add("repo", reference[0]);
            if (!reference[1].isEmpty()) {
                query.add("tag", reference[1]);
            }
        }
        String message = p.string("message");
        if (message != null) {
            query.add("message", message);
        }
        for (String change : p.list("change")) {
            query.add("changes", change);
        }
        String platform = p.string("platform");
        if (platform != null) {
            query.add("platform", platform);
        }
        String requestPath = "/images/create" + query;
        Response response;
        if (url) {
            response = cli.api().request("POST", requestPath, null, null);
        } else if (source.equals("-")) {
            response = cli.api().stream("POST", requestPath, cli.in(), -1, "application/x-tar");
        } else {
            response = postTarFile(cli, requestPath, source);
        }
        try (response) {
            response.check();
            printMessages(cli, response.body());
        }
        return 0;
    }

    /** Streams a tar file as the request body, with its length, giving Docker's message for a missing file. */
    private static Response postTarFile(Cli cli, String requestPath, String source) throws CliError, IOException {
        Path file = Path.of(source);
        long size;
        InputStream in;
        try {
            size = Files.size(file);
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new CliError.Failure("open " + source + ": no such file or directory");
        } catch (IOException e) {
            throw new CliError.Failure("open " + source + ": " + e.getMessage());
        }
        try (in) {
            return cli.api().stream("POST", requestPath, in, size, "application/x-tar");
        }
    }

    // ---- load --------------------------------------------------------------------------------------

    public static int load(Cli cli, String command, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet(command, "[OPTIONS]", "Load an image from a tar archive or STDIN")
                .string("input", 'i', "string", "Read from tar archive file, instead of STDIN")
                .bool("quiet", 'q', "Suppress the load output")
                .aliases("pier image load, pier load");
        Parsed p = flags.parse(args, from);
        p.noArgs();
        String input = p.string("input");
        Response response;
        if (input == null || input.isEmpty()) {
            if (cli.stdinTerminal()) {
                throw new CliError.Failure("requested load from stdin, but stdin is empty");
            }
            response = cli.api().stream("POST", "/images/load?quiet=1", cli.in(), -1, "application/x-tar");
        } else {
            response = postTarFile(cli, "/images/load?quiet=1", input);
        }
        try (response) {
            response.check();
            String type = response.header("Content-Type");
            if (type != null && type.startsWith("application/json")) {
                printMessages(cli, response.body());
            } else {
                response.body().transferTo(cli.out());
            }
        }
        return 0;
    }

    /**
     * Docker's JSON message stream as a non-terminal shows it: {@code stream} text as is, {@code status}
     * lines (progress updates skipped), and an {@code error} ends the command.
     */
    static void printMessages(Cli cli, InputStream body) throws IOException, CliError {
        JsonReader reader = new JsonReader(body);
        while (reader.hasNext()) {
            Map<String, Object> message = Json.object(reader.next());
            String error = Json.string(Json.object(message.get("errorDetail")), "message");
            if (error.isEmpty()) {
                error = Json.string(message, "error");
            }
            if (!error.isEmpty()) {
                cli.out().flush();
                throw new CliError.Failure(error);
            }
            if (!Json.object(message.get("progressDetail")).isEmpty()) {
                continue;
            }
            StringBuilder line = new StringBuilder();
            String id = Json.string(message, "id");
            if (!id.isEmpty()) {
                line.append(id).append(": ");
            }
            String stream = Json.string(message, "stream");
            if (!stream.isEmpty()) {
                cli.out().print(line.append(stream));
            } else if (message.containsKey("status")) {
                cli.out().println(line.append(Json.string(message, "status")));
            }
            cli.out().flush();
        }
    }
}
