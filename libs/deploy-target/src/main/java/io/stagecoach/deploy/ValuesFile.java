package io.stagecoach.deploy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads and sets dotted keys ({@code image.tag}) of a Helm values file as text: the value on the key's line is
 * replaced and nothing else moves; a missing key is added, indented like its siblings.
 */
final class ValuesFile {

    private ValuesFile() {
    }

    static Optional<String> read(String path, String content, String dottedKey) {
        var yaml = new YamlLines(path, content);
        List<String> keys = split(dottedKey);
        int from = 0;
        int to = yaml.size();
        int column = 0;
        for (int n = 0; n < keys.size(); n++) {
            int line = yaml.findKey(from, to, column, keys.get(n));
            if (line < 0) {
                return Optional.empty();
            }
            YamlLines.KeyValue kv = yaml.keyAt(line, column);
            if (n == keys.size() - 1) {
                String value = yaml.scalar(kv).value();
                return value.isEmpty() ? Optional.empty() : Optional.of(value);
            }
            if (yaml.hasInlineValue(kv)) {
                return Optional.empty();
            }
            from = line + 1;
            to = yaml.blockEnd(line, column, to);
            int first = yaml.nextContent(from, to);
            if (first < 0) {
                return Optional.empty();
            }
            column = yaml.indent(first);
        }
        return Optional.empty();
    }

    /**
     * The content with each dotted key set; a null value leaves a missing key missing and empties a present one.
     * Returns the content unchanged when the keys already hold those values.
     */
    static String set(String path, String content, List<String[]> keyValues) {
        var yaml = new YamlLines(path, content);
        for (String[] keyValue : keyValues) {
            set(yaml, split(keyValue[0]), keyValue[1]);
        }
        return yaml.render();
    }

    private static void set(YamlLines yaml, List<String> keys, String value) {
        int unit = indentUnit(yaml);
        int from = 0;
        int to = yaml.size();
        int column = 0;
        int parent = -1;
        for (int n = 0; n < keys.size(); n++) {
            int line = yaml.findKey(from, to, column, keys.get(n));
            if (line < 0) {
                if (value == null) {
                    return;
                }
                List<String> lines = new ArrayList<>();
                for (int m = n; m < keys.size(); m++) {
                    String indent = " ".repeat(column + (m - n) * unit);
                    lines.add(m == keys.size() - 1
                            ? indent + keys.get(m) + ": " + YamlLines.format(value, (char) 0)
                            : indent + keys.get(m) + ":");
                }
                int after = yaml.lastContent(from, to);
                // a file of comments only gets the keys below them
                yaml.insertAfter(after >= 0 ? after : parent >= 0 ? parent : to - 1, lines);
                return;
            }
            YamlLines.KeyValue kv = yaml.keyAt(line, column);
            if (n == keys.size() - 1) {
                yaml.set(yaml.scalar(kv), value == null ? "" : value);
                return;
            }
            if (yaml.hasInlineValue(kv)) {
                throw yaml.malformed(line, "'" + kv.key() + "' must be a block mapping to set "
                        + String.join(".", keys));
            }
            parent = line;
            from = line + 1;
            to = yaml.blockEnd(line, column, to);
            int first = yaml.nextContent(from, to);
            if (first >= 0 && yaml.isItem(first)) {
                throw yaml.malformed(first, "'" + kv.key() + "' is a list, not a mapping");
            }
            column = first < 0 ? column + unit : yaml.indent(first);
        }
    }

    /** The smallest indentation the file uses, so added keys look like the rest (2 when nothing is indented). */
    private static int indentUnit(YamlLines yaml) {
        int unit = Integer.MAX_VALUE;
        for (int i = 0; i < yaml.size(); i++) {
            if (yaml.isContent(i) && yaml.indent(i) > 0) {
                unit = Math.min(unit, yaml.indent(i));
            }
        }
        return unit == Integer.MAX_VALUE ? 2 : unit;
    }

    private static List<String> split(String dottedKey) {
        List<String> keys = Arrays.asList(dottedKey.split("\\."));
        if (keys.isEmpty() || keys.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("invalid values key: " + dottedKey);
        }
        return keys;
    }
}
