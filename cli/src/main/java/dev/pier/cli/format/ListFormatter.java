package dev.pier.cli.format;

import java.util.List;
import java.util.Map;

/**
 * Docker's formatter.Context.Write for list commands: {@code table ...} prints a header row and aligns
 * columns, {@code json} prints {@code {{json .}}} per row, anything else is a template run per row.
 * Literal {@code \t} and {@code \n} in the format become tab and newline, as in Docker.
 */
public final class ListFormatter {
    private ListFormatter() {
    }

    public static boolean isTable(String format) {
        return format.startsWith("table");
    }

    public static String render(String format, List<? extends FieldContext> rows, Map<String, String> header)
            throws TemplateException {
        boolean table = isTable(format);
        String text = format;
        if (table) {
            text = text.substring("table".length());
        } else if (text.equals("json")) {
            text = "{{json .}}";
        }
        text = trimSpaces(text).replace("\\t", "\t").replace("\\n", "\n");
        Template template;
        try {
            template = Template.parse(text);
        } catch (TemplateException e) {
            throw new TemplateException("template parsing error: " + e.getMessage());
        }
        StringBuilder body = new StringBuilder();
        for (FieldContext row : rows) {
            try {
                template.execute(row, body);
            } catch (TemplateException e) {
                throw new TemplateException("template parsing error: " + e.getMessage());
            }
            body.append('\n');
        }
        if (!table) {
            return body.toString();
        }
        StringBuilder all = new StringBuilder();
        template.executeHeader(header, all);
        all.append('\n').append(body);
        return TabWriter.docker(all);
    }

    /** strings.Trim(s, " "): spaces only, not tabs. */
    private static String trimSpaces(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == ' ') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(start, end);
    }
}
