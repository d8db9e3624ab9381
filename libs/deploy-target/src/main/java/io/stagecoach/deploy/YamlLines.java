package io.stagecoach.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A YAML file as lines, for minimal edits: untouched lines are rendered byte for byte, line endings included.
 * It understands just enough block-style YAML to find a key or a sequence item by indentation; flow style,
 * anchors and multi-line scalars are refused for the values it edits.
 */
final class YamlLines {

    private final String path;
    private final List<String> texts = new ArrayList<>();
    private final List<String> endings = new ArrayList<>();
    private final String newline;

    YamlLines(String path, String content) {
        this.path = path;
        int start = 0;
        while (start < content.length()) {
            int nl = content.indexOf('\n', start);
            if (nl < 0) {
                texts.add(content.substring(start));
                endings.add("");
                break;
            }
            boolean crlf = nl > start && content.charAt(nl - 1) == '\r';
            texts.add(content.substring(start, crlf ? nl - 1 : nl));
            endings.add(crlf ? "\r\n" : "\n");
            start = nl + 1;
        }
        newline = endings.isEmpty() || !endings.get(0).equals("\r\n") ? "\n" : "\r\n";
    }

    String path() {
        return path;
    }

    int size() {
        return texts.size();
    }

    String text(int line) {
        return texts.get(line);
    }

    String render() {
        var out = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            out.append(texts.get(i)).append(endings.get(i));
        }
        return out.toString();
    }

    void replace(int line, String text) {
        texts.set(line, text);
    }

    void remove(int line) {
        texts.remove(line);
        String ending = endings.remove(line);
        // keep a missing final newline missing
        if (line == texts.size() && line > 0 && ending.isEmpty()) {
            endings.set(line - 1, "");
        }
    }

    /** Inserts lines after the given line (-1: at the start), in the file's line ending style. */
    void insertAfter(int line, List<String> newLines) {
        int at = line + 1;
        boolean atEnd = at == texts.size();
        boolean lastHadNoEnding = atEnd && at > 0 && endings.get(at - 1).isEmpty();
        if (lastHadNoEnding) {
            endings.set(at - 1, newline);
        }
        for (int i = 0; i < newLines.size(); i++) {
            texts.add(at + i, newLines.get(i));
            endings.add(at + i, newline);
        }
        if (lastHadNoEnding) {
            endings.set(at + newLines.size() - 1, "");
        }
    }

    /** True for a line with nothing but spaces and maybe a comment. */
    boolean isContent(int line) {
        String t = texts.get(line).strip();
        return !t.isEmpty() && !t.startsWith("#") && !t.equals("---") && !t.equals("...");
    }

    int indent(int line) {
        String t = texts.get(line);
        int i = 0;
        while (i < t.length() && t.charAt(i) == ' ') {
            i++;
        }
        if (i < t.length() && t.charAt(i) == '\t') {
            throw malformed(line, "tab in indentation");
        }
        return i;
    }

    /** True for a block sequence item line: {@code - ...} or a lone {@code -}. */
    boolean isItem(int line) {
        String t = texts.get(line);
        int i = indent(line);
        return t.startsWith("-", i) && (t.length() == i + 1 || t.charAt(i + 1) == ' ');
    }

    /** The next content line at or after {@code from} and before {@code to}, or -1. */
    int nextContent(int from, int to) {
        for (int i = from; i < to; i++) {
            if (isContent(i)) {
                return i;
            }
        }
        return -1;
    }

    /** The last content line in [from, to), or -1. */
    int lastContent(int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (isContent(i)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Where the block owned by the key at {@code column} of {@code keyLine} ends: at the first later content line
     * indented less, or as much without being a sequence item (a block sequence may sit at its key's column).
     */
    int blockEnd(int keyLine, int column, int to) {
        for (int i = keyLine + 1; i < to; i++) {
            if (isContent(i) && (indent(i) < column || indent(i) == column && !isItem(i))) {
                return i;
            }
        }
        return to;
    }

    /** The line of the mapping key {@code key} at exactly {@code column} in [from, to), or -1 when absent. */
    int findKey(int from, int to, int column, String key) {
        for (int i = from; i < to; i++) {
            if (isContent(i)) {
                KeyValue kv = keyAt(i, column);
                if (kv != null && kv.key().equals(key)) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * The mapping key starting at {@code column} of the line (at its indentation, or right after the dash of an
     * item line), or null when none starts there.
     */
    KeyValue keyAt(int line, int column) {
        boolean startsThere = isItem(line) ? itemColumn(line) == column : indent(line) == column;
        if (!startsThere) {
            return null;
        }
        String t = texts.get(line);
        String key;
        int afterKey;
        char first = t.charAt(column);
        if (first == '"' || first == '\'') {
            int close = t.indexOf(first, column + 1);
            if (close < 0) {
                return null;
            }
            key = t.substring(column + 1, close);
            afterKey = close + 1;
            while (afterKey < t.length() && t.charAt(afterKey) == ' ') {
                afterKey++;
            }
            if (afterKey >= t.length() || t.charAt(afterKey) != ':') {
                return null;
            }
        } else {
            if ("-?[]{}#&*!|>%@`,".indexOf(first) >= 0) {
                return null;
            }
            afterKey = column;
            while (true) {
                afterKey = t.indexOf(':', afterKey);
                if (afterKey < 0) {
                    return null;
                }
                if (afterKey + 1 == t.length() || t.charAt(afterKey + 1) == ' ') {
                    break;
                }
                afterKey++;
            }
            key = t.substring(column, afterKey).strip();
            if (key.contains(" #")) {
                return null;
            }
        }
        return new KeyValue(line, key, afterKey);
    }

    /** True when the key has a value on its own line (not just a comment), so it cannot own a nested block. */
    boolean hasInlineValue(KeyValue kv) {
        String rest = texts.get(kv.line()).substring(kv.colon() + 1).strip();
        return !rest.isEmpty() && !rest.startsWith("#");
    }

    /** The column where an item line's content starts ({@code - name: x} gives the column of {@code name}); -1 if none. */
    int itemColumn(int line) {
        String t = texts.get(line);
        int i = indent(line) + 1;
        while (i < t.length() && t.charAt(i) == ' ') {
            i++;
        }
        return i < t.length() && t.charAt(i) != '#' ? i : -1;
    }

    /** The scalar value after a key's colon. */
    Scalar scalar(KeyValue kv) {
        String t = texts.get(kv.line());
        int p = kv.colon() + 1;
        while (p < t.length() && t.charAt(p) == ' ') {
            p++;
        }
        if (p >= t.length() || t.charAt(p) == '#' && t.charAt(p - 1) == ' ') {
            return new Scalar(kv.line(), p, p, (char) 0, "");
        }
        char c = t.charAt(p);
        int end;
        String value;
        if (c == '"') {
            var sb = new StringBuilder();
            int i = p + 1;
            while (i < t.length() && t.charAt(i) != '"') {
                if (t.charAt(i) == '\\' && i + 1 < t.length()) {
                    i++;
                }
                sb.append(t.charAt(i));
                i++;
            }
            if (i >= t.length()) {
                throw malformed(kv.line(), "unterminated quoted value of '" + kv.key() + "'");
            }
            end = i + 1;
            value = sb.toString();
        } else if (c == '\'') {
            var sb = new StringBuilder();
            int i = p + 1;
            while (true) {
                if (i >= t.length()) {
                    throw malformed(kv.line(), "unterminated quoted value of '" + kv.key() + "'");
                }
                if (t.charAt(i) == '\'') {
                    if (i + 1 < t.length() && t.charAt(i + 1) == '\'') {
                        sb.append('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                sb.append(t.charAt(i++));
            }
            end = i + 1;
            value = sb.toString();
        } else {
            if ("{[|>&*!%@`".indexOf(c) >= 0) {
                throw malformed(kv.line(), "the value of '" + kv.key() + "' is not a plain scalar");
            }
            int comment = t.indexOf(" #", p);
            end = comment < 0 ? t.length() : comment;
            while (end > p && t.charAt(end - 1) == ' ') {
                end--;
            }
            value = t.substring(p, end);
            c = 0;
        }
        String rest = t.substring(end).strip();
        if (!rest.isEmpty() && !rest.startsWith("#")) {
            throw malformed(kv.line(), "unexpected text after the value of '" + kv.key() + "'");
        }
        return new Scalar(kv.line(), p, end, c, value);
    }

    /** Sets a scalar's value keeping key, spacing, quote style and comment; false when it already had that value. */
    boolean set(Scalar s, String value) {
        if (s.value().equals(value) && (s.quote() != 0 || !value.isEmpty())) {
            return false;
        }
        String t = texts.get(s.line());
        String formatted = format(value, s.quote());
        String before = t.substring(0, s.start());
        String after = t.substring(s.end());
        if (s.start() == s.end()) {
            // an empty value: put one space after the colon and one before a comment
            before = before.stripTrailing() + " ";
            after = after.isEmpty() ? "" : " " + after.stripLeading();
        }
        texts.set(s.line(), before + formatted + after);
        return true;
    }

    MalformedManifestException malformed(int line, String problem) {
        return new MalformedManifestException(path, line + 1, problem);
    }

    private static final Pattern PLAIN_SAFE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_./:@+-]*");
    // what YAML 1.1 or 1.2 would read as something other than a string
    private static final Pattern NOT_A_STRING = Pattern.compile(
            "[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
                    + "|0x[0-9a-fA-F_]+|0o[0-7]+|0b[01_]+"
                    + "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?"
                    + "|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*"
                    + "|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
                    + "|null|Null|NULL");

    /** A scalar as YAML text: in the given quote style, else plain when that reads back as the same string. */
    static String format(String value, char quote) {
        if (quote == '\'') {
            return "'" + value.replace("'", "''") + "'";
        }
        if (quote == 0 && PLAIN_SAFE.matcher(value).matches() && !NOT_A_STRING.matcher(value).matches()
                && !value.contains(": ") && !value.endsWith(":")) {
            return value;
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A mapping key on a line; {@code colon} is the index of its colon. */
    record KeyValue(int line, String key, int colon) {
    }

    /** A scalar value on one line, between {@code start} and {@code end}; {@code quote} is 0 for plain. */
    record Scalar(int line, int start, int end, char quote, String value) {
    }
}
