package dev.pier.cli.command;

import dev.pier.cli.Cli;
import dev.pier.cli.CliError;
import dev.pier.cli.args.FlagSet;
import dev.pier.cli.format.Template;
import dev.pier.cli.format.TemplateException;
import dev.pier.cli.json.Json;
import dev.pier.cli.json.JsonIndent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small pieces several commands share: filters, inspect output, error collection, the prune prompt. */
final class Support {
    private Support() {
    }

    /**
     * Docker's {@code filters} query value: {@code -f name=web -f name=db} becomes
     * {@code {"name":{"web":true,"db":true}}}; null when there are none.
     */
    static String filters(FlagSet flags, List<String> values) throws CliError.Usage {
        if (values.isEmpty()) {
            return null;
        }
        Map<String, Object> filters = new LinkedHashMap<>();
        for (String value : values) {
            int eq = value.indexOf('=');
            if (eq <= 0) {
                throw flags.invalidArgument("filter", value, "bad format of filter (expected name=value)");
            }
            String key = value.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT);
            String v = value.substring(eq + 1).strip();
            @SuppressWarnings("unchecked")
            Map<String, Object> set = (Map<String, Object>) filters.get(key);
            if (set == null) {
                set = new LinkedHashMap<>();
                filters.put(key, set);
            }
            set.put(v, Boolean.TRUE);
        }
        return Json.write(filters, false);
    }

    /**
     * Prints inspected objects as Docker does: the raw documents as one indented array, or the
     * template's output per object.
     */
    static void printInspected(Cli cli, List<byte[]> documents, String format) throws CliError {
        if (format == null || format.isEmpty()) {
            cli.out().println(JsonIndent.array(documents, "    "));
            return;
        }
        Template template;
        try {
            template = Template.parse(format);
        } catch (TemplateException e) {
            throw new CliError.Failure("template parsing error: " + e.getMessage());
        }
        StringBuilder out = new StringBuilder();
        for (byte[] document : documents) {
            Object data;
            try {
                data = Json.parse(document);
            } catch (java.io.IOException e) {
                throw new CliError.Failure("pier: the daemon sent invalid JSON: " + e.getMessage());
            }
            try {
                template.execute(data, out);
            } catch (TemplateException e) {
                cli.out().print(out);
                throw new CliError.Failure("template parsing error: " + e.getMessage());
            }
            out.append('\n');
        }
        cli.out().print(out);
    }

    /** A prune's question, as Docker asks it: true only for "y" or "yes" on stdin. */
    static boolean confirmed(Cli cli, String warning) throws IOException {
        cli.out().print("WARNING! " + warning + "\nAre you sure you want to continue? [y/N] ");
        cli.out().flush();
        String answer = new BufferedReader(new InputStreamReader(cli.in(), StandardCharsets.UTF_8)).readLine();
        if (answer == null) cli.out().println();
        return answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
    }

    /** A prune's report: the heading and one line per deleted object, nothing when none was. */
    static void printDeleted(Cli cli, String heading, List<Object> deleted) {
        if (deleted.isEmpty()) return;
        StringBuilder out = new StringBuilder(heading).append(":\n");
        for (Object name : deleted) out.append(Json.string(name)).append('\n');
        cli.out().println(out);
    }

    /** Prints the collected per-object errors (Docker prints them after the output) and fails. */
    static int finish(Cli cli, List<String> errors) throws CliError.Exit {
        if (errors.isEmpty()) {
            return 0;
        }
        cli.out().flush();
        cli.err().println(String.join("\n", errors));
        throw new CliError.Exit(1);
    }
}
