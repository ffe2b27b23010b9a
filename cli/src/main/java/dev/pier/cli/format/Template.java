package dev.pier.cli.format;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The part of Go's text/template that {@code --format} uses, with Docker's extra functions:
 * fields and chains ({@code .A.B}), {@code .}, variables ({@code $}, {@code $x := ...}), pipelines,
 * {@code if/else if/else}, {@code range} (with {@code $i, $v :=}, {@code else}, {@code break},
 * {@code continue}), {@code with}, comments, trim markers, and the functions json, join, split, lower,
 * upper, title, pad, truncate, printf, print, println, len, index, slice, eq, ne, lt, le, gt, ge,
 * and, or, not, html, urlquery.
 *
 * <p>Data is the daemon's JSON tree (Map/List/String/Long/Double/Boolean/null) or {@link FieldContext}
 * rows. A missing map key prints {@code <no value>} as in Go.
 */
public final class Template {
    /** A map key that is not there: Go's invalid reflect.Value. */
    public static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "<no value>";
        }
    };

    private static final String[] FUNCTIONS = {
        "and", "eq", "ge", "gt", "html", "index", "join", "json", "le", "len", "lower", "lt", "ne", "not", "or",
        "pad", "print", "printf", "println", "slice", "split", "title", "truncate", "upper", "urlquery",
    };

    private final String source;
    private final List<Node> root;

    private Template(String source, List<Node> root) {
        this.source = source;
        this.root = root;
    }

    public static Template parse(String source) throws TemplateException {
        Parser parser = new Parser(source);
        List<Node> nodes = parser.parseList();
        if (parser.terminator != Parser.EOF) {
            throw parser.error(parser.terminator == Parser.END ? "unexpected {{end}}" : "unexpected {{else}}");
        }
        return new Template(source, nodes);
    }

    /** Runs the template against {@code data}, appending to {@code out}. */
    public void execute(Object data, StringBuilder out) throws TemplateException {
        new Exec(out, false, data).run(root, data);
    }

    public String execute(Object data) throws TemplateException {
        StringBuilder out = new StringBuilder();
        execute(data, out);
        return out.toString();
    }

    /**
     * Runs the template for a table header: data maps field names to column titles and the text
     * functions return their argument unchanged. Like Docker, a failure keeps what was written so far.
     */
    public void executeHeader(Map<String, String> header, StringBuilder out) {
        try {
            new Exec(out, true, header).run(root, header);
        } catch (TemplateException ignored) {
            // Docker ignores header errors; the rows already reported them
        }
    }

    // =================================================================================================
    // Syntax tree

    sealed interface Node permits Text, Action, Branch, Loop, Jump {
    }

    record Text(String text) implements Node {
    }

    record Action(Pipe pipe) implements Node {
    }

    /** if / with. */
    record Branch(boolean with, Pipe pipe, List<Node> then, List<Node> otherwise) implements Node {
    }

    record Loop(Pipe pipe, List<Node> body, List<Node> otherwise) implements Node {
    }

    /** break (true) or continue (false). */
    record Jump(boolean isBreak) implements Node {
    }

    record Pipe(int pos, String[] declarations, boolean assign, List<Command> commands) {
    }

    record Command(int pos, String text, List<Arg> args) {
    }

    sealed interface Arg permits Field, Variable, Dot, Literal, Function, Nested {
    }

    /** {@code .A.B}; {@code base} is null for a field of dot, else the (pipe) it follows. */
    record Field(int pos, String text, Arg base, String[] path) implements Arg {
    }

    record Variable(int pos, String name, String[] path) implements Arg {
    }

    record Dot(int pos) implements Arg {
    }

    record Literal(Object value, boolean isNil) implements Arg {
    }

    record Function(int pos, String name) implements Arg {
    }

    record Nested(int pos, Pipe pipe) implements Arg {
    }

    // =================================================================================================
    // Parser

    private static final class Parser {
        static final int EOF = 0;
        static final int END = 1;
        static final int ELSE = 2;
        static final int ELSE_IF = 3;
        static final int ELSE_WITH = 4;

        final String src;
        int pos;
        int terminator = EOF;
        boolean trimNextText;
        int rangeDepth;

        Parser(String src) {
            this.src = src;
        }

        TemplateException error(String message) {
            return new TemplateException("template: :" + line(src, pos) + ": " + message);
        }

        List<Node> parseList() throws TemplateException {
            List<Node> nodes = new ArrayList<>();
            while (true) {
                int open = src.indexOf("{{", pos);
                String text = open < 0 ? src.substring(pos) : src.substring(pos, open);
                if (trimNextText) {
                    text = stripLeadingSpace(text);
                    trimNextText = false;
                }
                boolean trimLeft = open >= 0 && open + 3 < src.length() && src.charAt(open + 2) == '-'
                        && isSpace(src.charAt(open + 3));
                if (trimLeft) {
                    text = stripTrailingSpace(text);
                }
                if (!text.isEmpty()) {
                    nodes.add(new Text(text));
                }
                if (open < 0) {
                    pos = src.length();
                    terminator = EOF;
                    return nodes;
                }
                pos = open + (trimLeft ? 3 : 2);
                skipSpace();
                if (src.startsWith("/*", pos)) {
                    int close = src.indexOf("*/", pos + 2);
                    if (close < 0) {
                        throw error("unclosed comment");
                    }
                    pos = close + 2;
                    closeAction();
                    continue;
                }
                int keywordStart = pos;
                String word = peekWord();
                switch (word) {
                    case "end" -> {
                        pos += 3;
                        closeAction();
                        terminator = END;
                        return nodes;
                    }
                    case "else" -> {
                        pos += 4;
                        skipSpace();
                        String next = peekWord();
                        if (next.equals("if")) {
                            pos += 2;
                            terminator = ELSE_IF;
                        } else if (next.equals("with")) {
                            pos += 4;
                            terminator = ELSE_WITH;
                        } else {
                            closeAction();
                            terminator = ELSE;
                        }
                        return nodes;
                    }
                    case "if", "with" -> {
                        pos += word.length();
                        nodes.add(parseBranch(word.equals("with")));
                    }
                    case "range" -> {
                        pos += 5;
                        nodes.add(parseRange());
                    }
                    case "break", "continue" -> {
                        if (rangeDepth == 0) {
                            throw error("{{" + word + "}} outside {{range}}");
                        }
                        pos += word.length();
                        closeAction();
                        nodes.add(new Jump(word.equals("break")));
                    }
                    case "define", "template", "block" -> {
                        pos = keywordStart;
                        throw error("{{" + word + "}} is not supported");
                    }
                    default -> {
                        Pipe pipe = parsePipeline(false);
                        closeAction();
                        nodes.add(new Action(pipe));
                    }
                }
            }
        }

        private Branch parseBranch(boolean with) throws TemplateException {
            Pipe pipe = parsePipeline(false);
            closeAction();
            List<Node> then = parseList();
            List<Node> otherwise = null;
            switch (terminator) {
                case END -> {
                }
                case ELSE -> {
                    otherwise = parseList();
                    expectEnd();
                }
                case ELSE_IF, ELSE_WITH -> {
                    // the chained branch consumes the shared {{end}}
                    otherwise = new ArrayList<>();
                    otherwise.add(parseBranch(terminator == ELSE_WITH));
                }
                default -> throw error("unexpected EOF");
            }
            terminator = EOF;
            return new Branch(with, pipe, then, otherwise);
        }

        private Loop parseRange() throws TemplateException {
            Pipe pipe = parsePipeline(true);
            closeAction();
            rangeDepth++;
            List<Node> body = parseList();
            rangeDepth--;
            List<Node> otherwise = null;
            if (terminator == ELSE) {
                otherwise = parseList();
                expectEnd();
            } else if (terminator != END) {
                throw error(terminator == EOF ? "unexpected EOF" : "unexpected {{else if}} in range");
            }
            terminator = EOF;
            return new Loop(pipe, body, otherwise);
        }

        private void expectEnd() throws TemplateException {
            if (terminator != END) {
                throw error(terminator == EOF ? "unexpected EOF" : "expected end; found {{else}}");
            }
        }

        /** Consumes {@code }}} or {@code -}}} (which trims the whitespace after it). */
        private void closeAction() throws TemplateException {
            skipSpace();
            if (src.startsWith("-}}", pos) && pos > 0 && isSpace(src.charAt(pos - 1))) {
                pos += 3;
                trimNextText = true;
                return;
            }
            if (src.startsWith("}}", pos)) {
                pos += 2;
                return;
            }
            if (pos >= src.length()) {
                throw error("unclosed action");
            }
            throw error("unexpected " + describe(pos) + " in command");
        }

        private boolean atClose() {
            return src.startsWith("}}", pos) || (src.startsWith("-}}", pos) && pos > 0 && isSpace(src.charAt(pos - 1)));
        }

        private Pipe parsePipeline(boolean allowTwoVariables) throws TemplateException {
            skipSpace();
            int start = pos;
            String[] declarations = null;
            boolean assign = false;
            if (peek() == '$') {
                int save = pos;
                List<String> names = new ArrayList<>();
                names.add(readVariableName());
                skipSpace();
                if (peek() == ',' && allowTwoVariables) {
                    pos++;
                    skipSpace();
                    if (peek() == '$') {
                        names.add(readVariableName());
                        skipSpace();
                    } else {
                        throw error("expected variable after ','");
                    }
                }
                if (src.startsWith(":=", pos)) {
                    pos += 2;
                    declarations = names.toArray(new String[0]);
                } else if (peek() == '=' && !src.startsWith("==", pos)) {
                    pos += 1;
                    declarations = names.toArray(new String[0]);
                    assign = true;
                } else if (names.size() > 1) {
                    throw error("expected := after range variables");
                } else {
                    pos = save;
                }
            }
            List<Command> commands = new ArrayList<>();
            while (true) {
                skipSpace();
                commands.add(parseCommand());
                skipSpace();
                if (peek() == '|') {
                    pos++;
                    continue;
                }
                break;
            }
            return new Pipe(start, declarations, assign, commands);
        }

        private Command parseCommand() throws TemplateException {
            int start = pos;
            List<Arg> args = new ArrayList<>();
            while (true) {
                skipSpace();
                if (pos >= src.length()) {
                    throw error("unclosed action");
                }
                char c = src.charAt(pos);
                if (atClose() || c == '|' || c == ')') {
                    break;
                }
                int before = pos;
                args.add(parseOperand());
                if (pos < src.length()) {
                    char after = src.charAt(pos);
                    if (!isSpace(after) && after != '|' && after != ')' && !atClose()) {
                        throw error("unexpected " + describe(pos) + " in operand");
                    }
                }
                if (pos == before) {
                    throw error("unexpected " + describe(pos) + " in operand");
                }
            }
            if (args.isEmpty()) {
                throw error(pos < src.length() && src.charAt(pos) == '|' ? "missing value for command"
                        : "missing value for command");
            }
            return new Command(start, src.substring(start, pos).strip(), args);
        }

        private Arg parseOperand() throws TemplateException {
            int start = pos;
            char c = src.charAt(pos);
            Arg term;
            if (c == '.') {
                if (pos + 1 < src.length() && isIdentStart(src.charAt(pos + 1))) {
                    String[] path = readFieldChain();
                    // Go places a chained field at its second element
                    return new Field(chainStart >= 0 ? chainStart : start, src.substring(start, pos), null, path);
                }
                if (pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))) {
                    return new Literal(readNumber(), false);
                }
                pos++;
                return new Dot(start);
            }
            if (c == '$') {
                String name = readVariableName();
                String[] path = peek() == '.' && pos + 1 < src.length() && isIdentStart(src.charAt(pos + 1))
                        ? readFieldChain() : new String[0];
                return new Variable(start, name, path);
            }
            if (c == '"') {
                return new Literal(readQuoted(), false);
            }
            if (c == '`') {
                int close = src.indexOf('`', pos + 1);
                if (close < 0) {
                    throw error("unterminated raw quoted string");
                }
                String raw = src.substring(pos + 1, close);
                pos = close + 1;
                return new Literal(raw, false);
            }
            if (c == '\'') {
                return new Literal(readChar(), false);
            }
            if (Character.isDigit(c) || ((c == '-' || c == '+') && pos + 1 < src.length()
                    && (Character.isDigit(src.charAt(pos + 1)) || src.charAt(pos + 1) == '.'))) {
                return new Literal(readNumber(), false);
            }
            if (c == '(') {
                pos++;
                Pipe pipe = parsePipeline(false);
                skipSpace();
                if (peek() != ')') {
                    throw error(pos >= src.length() ? "unclosed left paren" : "unexpected " + describe(pos) + " in parenthesized pipeline");
                }
                pos++;
                term = new Nested(start, pipe);
                if (peek() == '.' && pos + 1 < src.length() && isIdentStart(src.charAt(pos + 1))) {
                    String[] path = readFieldChain();
                    return new Field(start, src.substring(start, pos), term, path);
                }
                return term;
            }
            if (isIdentStart(c)) {
                String word = readWord();
                switch (word) {
                    case "true":
                        return new Literal(Boolean.TRUE, false);
                    case "false":
                        return new Literal(Boolean.FALSE, false);
                    case "nil":
                        return new Literal(null, true);
                    default:
                        if (!isFunction(word)) {
                            pos = start;
                            throw error("function \"" + word + "\" not defined");
                        }
                        return new Function(start, word);
                }
            }
            throw error("unexpected " + describe(pos) + " in operand");
        }

        /** Where the second element of the last chain read starts, -1 for a single field. */
        int chainStart = -1;

        private String[] readFieldChain() {
            List<String> path = new ArrayList<>();
            chainStart = -1;
            while (peek() == '.' && pos + 1 < src.length() && isIdentStart(src.charAt(pos + 1))) {
                if (path.size() == 1) {
                    chainStart = pos;
                }
                pos++;
                path.add(readWord());
            }
            return path.toArray(new String[0]);
        }

        private String readVariableName() {
            int start = pos;
            pos++; // $
            while (pos < src.length() && isIdentPart(src.charAt(pos))) {
                pos++;
            }
            return src.substring(start, pos);
        }

        private String readWord() {
            int start = pos;
            while (pos < src.length() && isIdentPart(src.charAt(pos))) {
                pos++;
            }
            return src.substring(start, pos);
        }

        private String peekWord() {
            int end = pos;
            while (end < src.length() && isIdentPart(src.charAt(end))) {
                end++;
            }
            String word = src.substring(pos, end);
            // a keyword must stand alone: "end}}" yes, "endpoint" no
            return word;
        }

        private Object readNumber() throws TemplateException {
            int start = pos;
            if (peek() == '-' || peek() == '+') {
                pos++;
            }
            while (pos < src.length()) {
                char c = src.charAt(pos);
                if (Character.isLetterOrDigit(c) || c == '.' || c == '_') {
                    pos++;
                } else if ((c == '-' || c == '+') && pos > start) {
                    char prev = Character.toLowerCase(src.charAt(pos - 1));
                    boolean hex = src.startsWith("0x", start) || src.startsWith("0X", start);
                    if ((prev == 'e' && !hex) || prev == 'p') {
                        pos++;
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            String text = src.substring(start, pos).replace("_", "");
            try {
                boolean negative = text.startsWith("-");
                String digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
                long value;
                if (digits.startsWith("0x") || digits.startsWith("0X")) {
                    value = Long.parseLong(digits.substring(2), 16);
                } else if (digits.startsWith("0b") || digits.startsWith("0B")) {
                    value = Long.parseLong(digits.substring(2), 2);
                } else if (digits.startsWith("0o") || digits.startsWith("0O")) {
                    value = Long.parseLong(digits.substring(2), 8);
                } else if (digits.length() > 1 && digits.charAt(0) == '0' && allDigits(digits)) {
                    value = Long.parseLong(digits.substring(1), 8);
                } else if (allDigits(digits)) {
                    value = Long.parseLong(digits);
                } else {
                    return Double.parseDouble(text);
                }
                return negative ? -value : value;
            } catch (NumberFormatException e) {
                pos = start;
                throw error("bad number syntax: \"" + src.substring(start, Math.max(start, Math.min(src.length(), start + text.length()))) + "\"");
            }
        }

        private static boolean allDigits(String s) {
            if (s.isEmpty()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                    return false;
                }
            }
            return true;
        }

        private Long readChar() throws TemplateException {
            int start = pos;
            pos++;
            int value;
            if (peek() == '\\') {
                value = readEscape('\'');
            } else if (pos < src.length()) {
                value = src.codePointAt(pos);
                pos += Character.charCount(value);
            } else {
                throw error("unterminated character constant");
            }
            if (peek() != '\'') {
                pos = start;
                throw error("malformed character constant");
            }
            pos++;
            return (long) value;
        }

        private String readQuoted() throws TemplateException {
            pos++; // opening quote
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= src.length() || src.charAt(pos) == '\n') {
                    throw error("unterminated quoted string");
                }
                char c = src.charAt(pos);
                if (c == '"') {
                    pos++;
                    return out.toString();
                }
                if (c == '\\') {
                    out.appendCodePoint(readEscape('"'));
                } else {
                    out.append(c);
                    pos++;
                }
            }
        }

        /** Reads a Go escape sequence at a backslash and returns its code point. */
        private int readEscape(char quote) throws TemplateException {
            pos++; // backslash
            if (pos >= src.length()) {
                throw error("unterminated quoted string");
            }
            char c = src.charAt(pos++);
            switch (c) {
                case 'a':
                    return 7;
                case 'b':
                    return '\b';
                case 'f':
                    return '\f';
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 't':
                    return '\t';
                case 'v':
                    return 0x0b;
                case '\\':
                    return '\\';
                case 'x':
                    return hexEscape(2);
                case 'u':
                    return hexEscape(4);
                case 'U':
                    return hexEscape(8);
                default:
                    if (c == quote) {
                        return c;
                    }
                    if (c >= '0' && c <= '7' && pos + 1 < src.length()) {
                        String octal = src.substring(pos - 1, pos + 2);
                        try {
                            int value = Integer.parseInt(octal, 8);
                            pos += 2;
                            return value;
                        } catch (NumberFormatException e) {
                            throw error("invalid syntax in escape");
                        }
                    }
                    throw error("invalid syntax in escape \\" + c);
            }
        }

        private int hexEscape(int digits) throws TemplateException {
            if (pos + digits > src.length()) {
                throw error("invalid syntax in escape");
            }
            try {
                int value = Integer.parseInt(src.substring(pos, pos + digits), 16);
                pos += digits;
                return value;
            } catch (NumberFormatException e) {
                throw error("invalid syntax in escape");
            }
        }

        private char peek() {
            return pos < src.length() ? src.charAt(pos) : 0;
        }

        private void skipSpace() {
            while (pos < src.length() && isSpace(src.charAt(pos))) {
                pos++;
            }
        }

        private String describe(int at) {
            if (at >= src.length()) {
                return "EOF";
            }
            char c = src.charAt(at);
            // Go prints keyword-like items (the dot) in angle brackets, others quoted
            return c == '.' ? "<.>" : "\"" + c + "\"";
        }
    }

    static boolean isFunction(String name) {
        for (String f : FUNCTIONS) {
            if (f.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isIdentStart(char c) {
        return c == '_' || Character.isLetter(c);
    }

    private static boolean isIdentPart(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    private static String stripLeadingSpace(String s) {
        int i = 0;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    private static String stripTrailingSpace(String s) {
        int i = s.length();
        while (i > 0 && isSpace(s.charAt(i - 1))) {
            i--;
        }
        return s.substring(0, i);
    }

    /** 1-based line of a source offset. */
    static int line(String src, int pos) {
        int line = 1;
        for (int i = 0; i < pos && i < src.length(); i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    // =================================================================================================
    // Execution

    private static final Object NO_FINAL = new Object();
    private static final int NORMAL = 0;
    private static final int BREAK = 1;
    private static final int CONTINUE = 2;

    private final class Exec {
        final StringBuilder out;
        final boolean header;
        final List<String> varNames = new ArrayList<>();
        final List<Object> varValues = new ArrayList<>();

        Exec(StringBuilder out, boolean header, Object data) {
            this.out = out;
            this.header = header;
            varNames.add("$");
            varValues.add(data);
        }

        TemplateException error(int pos, String at, String message) {
            int line = line(source, pos);
            int col = pos - source.lastIndexOf('\n', pos - 1) - 1;
            return new TemplateException("template: :" + line + ":" + col + ": executing \"\" at <" + at + ">: " + message);
        }

        void run(List<Node> nodes, Object dot) throws TemplateException {
            walk(nodes, dot);
        }

        int walk(List<Node> nodes, Object dot) throws TemplateException {
            for (Node node : nodes) {
                int signal = walkNode(node, dot);
                if (signal != NORMAL) {
                    return signal;
                }
            }
            return NORMAL;
        }

        int walkNode(Node node, Object dot) throws TemplateException {
            if (node instanceof Text text) {
                out.append(text.text());
                return NORMAL;
            }
            if (node instanceof Action action) {
                Object value = evalPipeline(dot, action.pipe(), true);
                if (action.pipe().declarations() == null) {
                    out.append(GoFormat.print(value));
                }
                return NORMAL;
            }
            if (node instanceof Branch branch) {
                int mark = varNames.size();
                try {
                    Object value = evalPipeline(dot, branch.pipe(), true);
                    if (truth(value)) {
                        return walk(branch.then(), branch.with() ? value : dot);
                    }
                    if (branch.otherwise() != null) {
                        return walk(branch.otherwise(), dot);
                    }
                    return NORMAL;
                } finally {
                    popTo(mark);
                }
            }
            if (node instanceof Loop loop) {
                return walkRange(loop, dot);
            }
            if (node instanceof Jump jump) {
                return jump.isBreak() ? BREAK : CONTINUE;
            }
            throw new IllegalStateException("unknown node " + node);
        }

        int walkRange(Loop loop, Object dot) throws TemplateException {
            int mark = varNames.size();
            try {
                Pipe pipe = loop.pipe();
                Object value = evalCommands(dot, pipe);
                String[] vars = pipe.declarations();
                int iterations = 0;
                if (value instanceof List<?> list) {
                    for (int i = 0; i < list.size(); i++) {
                        iterations++;
                        int signal = iterate(loop, vars, (long) i, list.get(i));
                        if (signal == BREAK) {
                            break;
                        }
                    }
                } else if (value instanceof Map<?, ?> map) {
                    for (String key : GoFormat.sortedKeys(map)) {
                        iterations++;
                        int signal = iterate(loop, vars, key, map.get(key));
                        if (signal == BREAK) {
                            break;
                        }
                    }
                } else if (value instanceof Long count) {
                    for (long i = 0; i < count; i++) {
                        iterations++;
                        int signal = iterate(loop, vars, i, i);
                        if (signal == BREAK) {
                            break;
                        }
                    }
                } else if (value != NO_VALUE && value != null) {
                    throw error(pipe.pos(), pipe.commands().get(0).text(),
                            "range can't iterate over " + GoFormat.print(value));
                }
                if (iterations == 0 && loop.otherwise() != null) {
                    return walk(loop.otherwise(), dot);
                }
                return NORMAL;
            } finally {
                popTo(mark);
            }
        }

        private int iterate(Loop loop, String[] vars, Object key, Object element) throws TemplateException {
            int mark = varNames.size();
            try {
                if (vars != null) {
                    if (vars.length == 2) {
                        push(vars[0], key);
                        push(vars[1], element);
                    } else {
                        push(vars[0], element);
                    }
                }
                return walk(loop.body(), element);
            } finally {
                popTo(mark);
            }
        }

        void push(String name, Object value) {
            varNames.add(name);
            varValues.add(value);
        }

        void popTo(int mark) {
            while (varNames.size() > mark) {
                varNames.removeLast();
                varValues.removeLast();
            }
        }

        Object lookup(int pos, String name) throws TemplateException {
            for (int i = varNames.size() - 1; i >= 0; i--) {
                if (varNames.get(i).equals(name)) {
                    return varValues.get(i);
                }
            }
            throw error(pos, name, "undefined variable: " + name);
        }

        Object evalPipeline(Object dot, Pipe pipe, boolean declare) throws TemplateException {
            Object value = evalCommands(dot, pipe);
            String[] declarations = pipe.declarations();
            if (declare && declarations != null) {
                if (pipe.assign()) {
                    boolean found = false;
                    for (int i = varNames.size() - 1; i >= 0; i--) {
                        if (varNames.get(i).equals(declarations[0])) {
                            varValues.set(i, value);
                            found = true;
                            break;
                        }
                    }
                    if (!found) {
                        throw error(pipe.pos(), declarations[0], "undefined variable: " + declarations[0]);
                    }
                } else {
                    push(declarations[0], value);
                }
            }
            return value;
        }

        Object evalCommands(Object dot, Pipe pipe) throws TemplateException {
            Object value = NO_FINAL;
            for (Command command : pipe.commands()) {
                value = evalCommand(dot, command, value);
            }
            return value;
        }

        Object evalCommand(Object dot, Command command, Object finalValue) throws TemplateException {
            List<Arg> args = command.args();
            Arg first = args.getFirst();
            if (first instanceof Field field) {
                Object receiver = field.base() == null ? dot : evalArg(dot, field.base());
                return evalFieldChain(dot, receiver, field, args, finalValue);
            }
            if (first instanceof Variable variable) {
                Object value = lookup(variable.pos(), variable.name());
                if (variable.path().length == 0) {
                    notAFunction(command, args, finalValue);
                    return value;
                }
                Field asField = new Field(variable.pos(), command.text(), null, variable.path());
                return evalFieldChain(dot, value, asField, args, finalValue);
            }
            if (first instanceof Function function) {
                return evalFunction(dot, command, function.name(), args, finalValue);
            }
            notAFunction(command, args, finalValue);
            if (first instanceof Nested nested) {
                return evalPipeline(dot, nested.pipe(), false);
            }
            if (first instanceof Dot) {
                return dot;
            }
            Literal literal = (Literal) first;
            if (literal.isNil()) {
                throw error(command.pos(), command.text(), "nil is not a command");
            }
            return literal.value();
        }

        void notAFunction(Command command, List<Arg> args, Object finalValue) throws TemplateException {
            if (args.size() > 1 || finalValue != NO_FINAL) {
                throw error(command.pos(), command.text(), "can't give argument to non-function " + firstText(command));
            }
        }

        private String firstText(Command command) {
            String text = command.text();
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        }

        Object evalFieldChain(Object dot, Object receiver, Field field, List<Arg> args, Object finalValue)
                throws TemplateException {
            String[] path = field.path();
            for (int i = 0; i < path.length; i++) {
                boolean last = i == path.length - 1;
                receiver = evalField(dot, field, path[i], receiver, last ? args : null, last ? finalValue : NO_FINAL);
            }
            return receiver;
        }

        Object evalField(Object dot, Field field, String name, Object receiver, List<Arg> args, Object finalValue)
                throws TemplateException {
            boolean hasArgs = (args != null && args.size() > 1) || finalValue != NO_FINAL;
            if (receiver instanceof FieldContext context) {
                if (hasArgs) {
                    List<Object> values = new ArrayList<>();
                    if (args != null) {
                        for (int i = 1; i < args.size(); i++) {
                            values.add(evalArg(dot, args.get(i)));
                        }
                    }
                    if (finalValue != NO_FINAL) {
                        values.add(finalValue);
                    }
                    Object result = context.method(name, values);
                    if (result == FieldContext.UNKNOWN) {
                        if (context.field(name) != FieldContext.UNKNOWN) {
                            throw error(field.pos(), field.text(), "wrong number of args for " + name + ": want 0 got " + values.size());
                        }
                        throw error(field.pos(), field.text(), "can't evaluate field " + name + " in type " + context.typeName());
                    }
                    return result;
                }
                Object result = context.field(name);
                if (result == FieldContext.UNKNOWN) {
                    if (context.method(name, List.of("")) != FieldContext.UNKNOWN) {
                        throw error(field.pos(), field.text(), "wrong number of args for " + name + ": want 1 got 0");
                    }
                    throw error(field.pos(), field.text(), "can't evaluate field " + name + " in type " + context.typeName());
                }
                return result;
            }
            if (receiver instanceof Map<?, ?> map) {
                if (hasArgs) {
                    throw error(field.pos(), field.text(), name + " is not a method but has arguments");
                }
                return map.containsKey(name) ? map.get(name) : NO_VALUE;
            }
            if (receiver == NO_VALUE) {
                return NO_VALUE;
            }
            if (receiver == null) {
                throw error(field.pos(), field.text(), "nil pointer evaluating interface {}." + name);
            }
            // a value out of the JSON tree is an interface {} to Go
            throw error(field.pos(), field.text(), "can't evaluate field " + name + " in type interface {}");
        }

        Object evalArg(Object dot, Arg arg) throws TemplateException {
            if (arg instanceof Field field) {
                Object receiver = field.base() == null ? dot : evalArg(dot, field.base());
                return evalFieldChain(dot, receiver, field, null, NO_FINAL);
            }
            if (arg instanceof Variable variable) {
                Object value = lookup(variable.pos(), variable.name());
                if (variable.path().length == 0) {
                    return value;
                }
                return evalFieldChain(dot, value, new Field(variable.pos(), variable.name(), null, variable.path()), null, NO_FINAL);
            }
            if (arg instanceof Dot) {
                return dot;
            }
            if (arg instanceof Literal literal) {
                return literal.value();
            }
            if (arg instanceof Nested nested) {
                return evalPipeline(dot, nested.pipe(), false);
            }
            Function function = (Function) arg;
            Command call = new Command(function.pos(), function.name(), List.of(arg));
            return evalFunction(dot, call, function.name(), call.args(), NO_FINAL);
        }

        Object evalFunction(Object dot, Command command, String name, List<Arg> args, Object finalValue)
                throws TemplateException {
            int count = args.size() - 1 + (finalValue != NO_FINAL ? 1 : 0);
            // and/or evaluate lazily, returning the deciding operand
            if (name.equals("and") || name.equals("or")) {
                if (count < 1) {
                    throw error(command.pos(), command.text(), "wrong number of args for " + name + ": want at least 1 got 0");
                }
                Object value = null;
                for (int i = 1; i <= count; i++) {
                    value = i < args.size() ? evalArg(dot, args.get(i)) : finalValue;
                    boolean truth = truth(value);
                    if (name.equals("and") ? !truth : truth) {
                        return value;
                    }
                }
                return value;
            }
            List<Object> values = new ArrayList<>(count);
            for (int i = 1; i < args.size(); i++) {
                values.add(evalArg(dot, args.get(i)));
            }
            if (finalValue != NO_FINAL) {
                values.add(finalValue);
            }
            try {
                return Functions.call(name, values, header);
            } catch (TemplateException e) {
                throw error(command.pos(), command.text(), e.getMessage());
            }
        }
    }

    /** Go's notion of truth for if/with/and/or/not. */
    static boolean truth(Object value) {
        if (value == null || value == NO_VALUE) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s) {
            return !s.isEmpty();
        }
        if (value instanceof Long l) {
            return l != 0;
        }
        if (value instanceof Double d) {
            return d != 0;
        }
        if (value instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (value instanceof List<?> list) {
            return !list.isEmpty();
        }
        if (value instanceof Map<?, ?> map) {
            return !map.isEmpty();
        }
        return true;
    }

    // =================================================================================================
    // Functions

    static final class Functions {
        private Functions() {
        }

        static Object call(String name, List<Object> args, boolean header) throws TemplateException {
            if (header) {
                switch (name) {
                    case "json", "title", "lower", "upper" -> {
                        arity(name, args, 1);
                        return args.get(0);
                    }
                    case "split", "join", "truncate" -> {
                        arity(name, args, 2);
                        return args.get(0);
                    }
                    default -> {
                    }
                }
            }
            switch (name) {
                case "json":
                    arity(name, args, 1);
                    return jsonOf(args.get(0));
                case "lower":
                    arity(name, args, 1);
                    return string(args.get(0)).toLowerCase(Locale.ROOT);
                case "upper":
                    arity(name, args, 1);
                    return string(args.get(0)).toUpperCase(Locale.ROOT);
                case "title":
                    arity(name, args, 1);
                    return title(string(args.get(0)));
                case "split":
                    arity(name, args, 2);
                    return split(string(args.get(0)), string(args.get(1)));
                case "join":
                    arity(name, args, 2);
                    return join(args.get(0), string(args.get(1)));
                case "pad": {
                    arity(name, args, 3);
                    String s = string(args.get(0));
                    if (s.isEmpty()) {
                        return s;
                    }
                    return " ".repeat((int) integer(args.get(1))) + s + " ".repeat((int) integer(args.get(2)));
                }
                case "truncate": {
                    arity(name, args, 2);
                    String s = string(args.get(0));
                    long length = integer(args.get(1));
                    return s.length() < length ? s : s.substring(0, (int) Math.max(0, length));
                }
                case "printf": {
                    if (args.isEmpty()) {
                        throw new TemplateException("wrong number of args for printf: want at least 1 got 0");
                    }
                    return GoFormat.sprintf(string(args.get(0)), args.subList(1, args.size()));
                }
                case "print":
                    return GoFormat.sprint(args);
                case "println":
                    return GoFormat.sprintln(args);
                case "len":
                    arity(name, args, 1);
                    return length(args.get(0));
                case "index":
                    return index(args);
                case "slice":
                    return slice(args);
                case "not":
                    arity(name, args, 1);
                    return !truth(args.get(0));
                case "eq": {
                    if (args.size() < 2) {
                        throw new TemplateException("error calling eq: missing argument for comparison");
                    }
                    for (int i = 1; i < args.size(); i++) {
                        if (compare("eq", args.get(0), args.get(i)) == 0) {
                            return Boolean.TRUE;
                        }
                    }
                    return Boolean.FALSE;
                }
                case "ne":
                    arity(name, args, 2);
                    return compare(name, args.get(0), args.get(1)) != 0;
                case "lt":
                    arity(name, args, 2);
                    return ordered(name, args.get(0), args.get(1)) < 0;
                case "le":
                    arity(name, args, 2);
                    return ordered(name, args.get(0), args.get(1)) <= 0;
                case "gt":
                    arity(name, args, 2);
                    return ordered(name, args.get(0), args.get(1)) > 0;
                case "ge":
                    arity(name, args, 2);
                    return ordered(name, args.get(0), args.get(1)) >= 0;
                case "html":
                    return html(GoFormat.sprint(args));
                case "urlquery":
                    return urlQuery(GoFormat.sprint(args));
                default:
                    throw new TemplateException("function \"" + name + "\" not defined");
            }
        }

        private static void arity(String name, List<Object> args, int want) throws TemplateException {
            if (args.size() != want) {
                throw new TemplateException("wrong number of args for " + name + ": want " + want + " got " + args.size());
            }
        }

        private static String jsonOf(Object value) {
            if (value instanceof FieldContext context) {
                StringBuilder out = new StringBuilder();
                context.writeJson(out);
                return out.toString();
            }
            return GoFormat.toJson(value);
        }

        private static String string(Object value) {
            if (value instanceof String s) {
                return s;
            }
            if (value == null || value == NO_VALUE) {
                return "";
            }
            return GoFormat.print(value);
        }

        private static long integer(Object value) throws TemplateException {
            if (value instanceof Long l) {
                return l;
            }
            if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return n.longValue();
            }
            throw new TemplateException("wrong type for value; expected int; got " + GoFormat.goTypeName(value));
        }

        private static String title(String s) {
            StringBuilder out = new StringBuilder(s.length());
            boolean boundary = true;
            int i = 0;
            while (i < s.length()) {
                int cp = s.codePointAt(i);
                i += Character.charCount(cp);
                out.appendCodePoint(boundary ? Character.toTitleCase(cp) : cp);
                boundary = !(Character.isLetterOrDigit(cp) || cp == '_' || Character.getType(cp) == Character.NON_SPACING_MARK);
            }
            return out.toString();
        }

        static List<Object> split(String s, String separator) {
            List<Object> parts = new ArrayList<>();
            if (separator.isEmpty()) {
                int i = 0;
                while (i < s.length()) {
                    int cp = s.codePointAt(i);
                    int next = i + Character.charCount(cp);
                    parts.add(s.substring(i, next));
                    i = next;
                }
                return parts;
            }
            int start = 0;
            int at;
            while ((at = s.indexOf(separator, start)) >= 0) {
                parts.add(s.substring(start, at));
                start = at + separator.length();
            }
            parts.add(s.substring(start));
            return parts;
        }

        private static String join(Object list, String separator) throws TemplateException {
            if (list == null || list == NO_VALUE) {
                return "";
            }
            if (!(list instanceof List<?> items)) {
                throw new TemplateException("wrong type for value; expected []string; got " + GoFormat.goTypeName(list));
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    out.append(separator);
                }
                Object item = items.get(i);
                out.append(item instanceof String s ? s : GoFormat.print(item));
            }
            return out.toString();
        }

        private static long length(Object value) throws TemplateException {
            if (value instanceof String s) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
            if (value instanceof List<?> list) {
                return list.size();
            }
            if (value instanceof Map<?, ?> map) {
                return map.size();
            }
            throw new TemplateException("error calling len: len of " + (value == null || value == NO_VALUE ? "nil pointer" : "type " + GoFormat.goTypeName(value)));
        }

        private static Object index(List<Object> args) throws TemplateException {
            if (args.isEmpty()) {
                throw new TemplateException("wrong number of args for index: want at least 1 got 0");
            }
            Object item = args.get(0);
            for (int i = 1; i < args.size(); i++) {
                Object key = args.get(i);
                if (item instanceof Map<?, ?> map) {
                    String k = key instanceof String s ? s : GoFormat.print(key);
                    item = map.containsKey(k) ? map.get(k) : NO_VALUE;
                } else if (item instanceof List<?> list) {
                    long at = integer(key);
                    if (at < 0 || at >= list.size()) {
                        throw new TemplateException("error calling index: index out of range: " + at);
                    }
                    item = list.get((int) at);
                } else if (item instanceof String s) {
                    long at = integer(key);
                    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                    if (at < 0 || at >= bytes.length) {
                        throw new TemplateException("error calling index: index out of range: " + at);
                    }
                    item = (long) (bytes[(int) at] & 0xff);
                } else if (item == null || item == NO_VALUE) {
                    throw new TemplateException("error calling index: index of untyped nil");
                } else {
                    throw new TemplateException("error calling index: can't index item of type " + GoFormat.goTypeName(item));
                }
            }
            return item;
        }

        private static Object slice(List<Object> args) throws TemplateException {
            if (args.isEmpty()) {
                throw new TemplateException("wrong number of args for slice: want at least 1 got 0");
            }
            Object item = args.get(0);
            int size;
            if (item instanceof String s) {
                size = s.length();
            } else if (item instanceof List<?> list) {
                size = list.size();
            } else {
                throw new TemplateException("error calling slice: can't slice item of type " + GoFormat.goTypeName(item));
            }
            int from = args.size() > 1 ? (int) integer(args.get(1)) : 0;
            int to = args.size() > 2 ? (int) integer(args.get(2)) : size;
            if (from < 0 || to < from || to > size) {
                throw new TemplateException("error calling slice: index out of range: " + (from < 0 ? from : to));
            }
            if (item instanceof String s) {
                return s.substring(from, to);
            }
            return new ArrayList<>(((List<?>) item).subList(from, to));
        }

        /** 0 when equal; Go only compares like kinds, numbers compare by value. */
        private static int compare(String name, Object a, Object b) throws TemplateException {
            if (a == NO_VALUE) {
                a = null;
            }
            if (b == NO_VALUE) {
                b = null;
            }
            if (a == null || b == null) {
                return a == b ? 0 : 1;
            }
            if (a instanceof Number x && b instanceof Number y) {
                return Double.compare(x.doubleValue(), y.doubleValue());
            }
            if (a instanceof String x && b instanceof String y) {
                return x.compareTo(y);
            }
            if (a instanceof Boolean x && b instanceof Boolean y) {
                return x.equals(y) ? 0 : 1;
            }
            if (a.getClass() != b.getClass() || a instanceof Map || a instanceof List) {
                throw new TemplateException("error calling " + name + ": incompatible types for comparison");
            }
            return a.equals(b) ? 0 : 1;
        }

        private static int ordered(String name, Object a, Object b) throws TemplateException {
            if (a instanceof Boolean || b instanceof Boolean || a == null || b == null || a == NO_VALUE
                    || b == NO_VALUE || a instanceof Map || a instanceof List) {
                throw new TemplateException("error calling " + name + ": invalid type for comparison");
            }
            return compare(name, a, b);
        }

        private static String html(String s) {
            StringBuilder out = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '&' -> out.append("&amp;");
                    case '\'' -> out.append("&#39;");
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '"' -> out.append("&#34;");
                    case 0 -> out.append("\uFFFD");
                    default -> out.append(c);
                }
            }
            return out.toString();
        }

        private static String urlQuery(String s) {
            StringBuilder out = new StringBuilder();
            for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || c == '_' || c == '.' || c == '~') {
                    out.append(c);
                } else if (c == ' ') {
                    out.append('+');
                } else {
                    out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
                }
            }
            return out.toString();
        }
    }
}
