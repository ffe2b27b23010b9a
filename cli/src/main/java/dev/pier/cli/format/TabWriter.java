package dev.pier.cli.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Elastic tabstops as Go's text/tabwriter computes them, configured as Docker's tables are
 * (minwidth 10, tabwidth 1, padding 3, pad with spaces): tab-terminated cells in consecutive lines
 * form a column; the text after a line's last tab is not part of any column.
 */
public final class TabWriter {
    private final int minWidth;
    private final int padding;
    private final List<List<String>> lines = new ArrayList<>();
    private final List<List<Integer>> widthsOfCells = new ArrayList<>();
    private final List<Integer> widths = new ArrayList<>();
    private StringBuilder out;

    public TabWriter(int minWidth, int padding) {
        this.minWidth = minWidth;
        this.padding = padding;
    }

    /** Docker's table layout. */
    public static String docker(CharSequence text) {
        return new TabWriter(10, 3).format(text);
    }

    public String format(CharSequence text) {
        lines.clear();
        widthsOfCells.clear();
        widths.clear();
        // split into lines of cells; the final line holds the text after the last newline
        List<String> cells = new ArrayList<>();
        List<Integer> cellWidths = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\t' || c == '\n') {
                cells.add(cell.toString());
                cellWidths.add(displayWidth(cell));
                cell.setLength(0);
                if (c == '\n') {
                    lines.add(cells);
                    widthsOfCells.add(cellWidths);
                    cells = new ArrayList<>();
                    cellWidths = new ArrayList<>();
                }
            } else {
                cell.append(c);
            }
        }
        if (!cell.isEmpty()) {
            // like Flush: a non-empty unterminated cell joins the last line
            cells.add(cell.toString());
            cellWidths.add(displayWidth(cell));
        }
        lines.add(cells);
        widthsOfCells.add(cellWidths);

        out = new StringBuilder(text.length() + 64);
        formatBlock(0, lines.size());
        return out.toString();
    }

    private void formatBlock(int line0, int line1) {
        int column = widths.size();
        for (int current = line0; current < line1; current++) {
            List<String> line = lines.get(current);
            if (column >= line.size() - 1) {
                continue;
            }
            // this line has a cell in this column: it starts a block of consecutive such lines
            writeLines(line0, current);
            line0 = current;
            int width = minWidth;
            for (; current < line1; current++) {
                line = lines.get(current);
                if (column >= line.size() - 1) {
                    break;
                }
                int w = widthsOfCells.get(current).get(column) + padding;
                if (w > width) {
                    width = w;
                }
            }
            widths.add(width);
            formatBlock(line0, current);
            widths.removeLast();
            line0 = current;
        }
        writeLines(line0, line1);
    }

    private void writeLines(int line0, int line1) {
        for (int i = line0; i < line1; i++) {
            List<String> line = lines.get(i);
            List<Integer> cellWidths = widthsOfCells.get(i);
            for (int j = 0; j < line.size(); j++) {
                out.append(line.get(j));
                if (j < widths.size()) {
                    int pad = widths.get(j) - cellWidths.get(j);
                    for (int k = 0; k < pad; k++) {
                        out.append(' ');
                    }
                }
            }
            if (i + 1 < lines.size()) {
                out.append('\n');
            }
        }
    }

    /** Display columns: code points, East Asian wide characters counting two. */
    static int displayWidth(CharSequence s) {
        int width = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isLowSurrogate(c)) {
                continue;
            }
            int cp = Character.isHighSurrogate(c) && i + 1 < s.length() ? Character.toCodePoint(c, s.charAt(i + 1)) : c;
            width += isWide(cp) ? 2 : 1;
        }
        return width;
    }

    private static boolean isWide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F)
                || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F)
                || (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
    }
}
