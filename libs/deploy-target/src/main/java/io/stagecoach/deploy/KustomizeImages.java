package io.stagecoach.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads and edits the {@code images:} entries of a kustomization as text: only the {@code newTag} and
 * {@code digest} lines of the matching entry change (or are added, or a stale digest removed); everything else,
 * comments and formatting included, stays byte for byte.
 */
final class KustomizeImages {

    private static final String IMAGES = "images";

    private KustomizeImages() {
    }

    /** The pinned image of the first entry whose {@code name} matches, if any. */
    static Optional<Pin> read(String path, String content, Predicate<String> nameMatches) {
        var yaml = new YamlLines(path, content);
        Block block = block(yaml, false);
        if (block == null) {
            return Optional.empty();
        }
        for (Entry entry : block.entries()) {
            String name = entry.value(yaml, "name");
            if (name != null && nameMatches.test(name)) {
                return Optional.of(new Pin(name, entry.value(yaml, "newName"), entry.value(yaml, "newTag"),
                        entry.value(yaml, "digest")));
            }
        }
        return Optional.empty();
    }

    /**
     * The content with the entry for {@code image} pinned to {@code tag} and {@code digest} (null: no digest line).
     * Returns the content unchanged when it already says so.
     */
    static String pin(String path, String content, String image, String tag, String digest) {
        var yaml = new YamlLines(path, content);
        Block block = block(yaml, true);
        if (block == null) {
            List<String> lines = new ArrayList<>();
            lines.add(IMAGES + ":");
            lines.addAll(newEntry(2, 4, image, tag, digest));
            yaml.insertAfter(yaml.size() - 1, lines);
            return yaml.render();
        }
        Entry entry = null;
        for (Entry candidate : block.entries()) {
            if (image.equals(candidate.value(yaml, "name"))) {
                entry = candidate;
                break;
            }
            if (candidate.keyColumn() < 0 && yaml.text(candidate.dashLine()).contains(image)) {
                throw yaml.malformed(candidate.dashLine(),
                        "the images entry for " + image + " is not a block mapping; write it as '- name: ...'");
            }
        }
        if (entry == null) {
            int dash = block.entries().isEmpty() ? 2 : block.sequenceColumn();
            int key = block.entries().isEmpty() ? dash + 2 : dash + block.keyOffset();
            int after = yaml.lastContent(block.from(), block.to());
            yaml.insertAfter(after < 0 ? block.from() - 1 : after, newEntry(dash, key, image, tag, digest));
            return yaml.render();
        }
        String indent = " ".repeat(entry.keyColumn());
        YamlLines.Scalar tagValue = entry.scalar(yaml, "newTag");
        YamlLines.Scalar digestValue = entry.scalar(yaml, "digest");
        List<String> added = new ArrayList<>();
        if (tagValue != null) {
            yaml.set(tagValue, tag);
        } else {
            added.add(indent + "newTag: " + YamlLines.format(tag, (char) 0));
        }
        if (digestValue != null && digest != null) {
            yaml.set(digestValue, digest);
        } else if (digestValue == null && digest != null) {
            added.add(indent + "digest: " + YamlLines.format(digest, (char) 0));
        }
        if (!added.isEmpty()) {
            yaml.insertAfter(yaml.lastContent(entry.dashLine(), entry.end()), added);
        }
        if (digestValue != null && digest == null) {
            // a digest left behind would keep pulling the old image: kustomize prefers it to the tag
            yaml.remove(digestValue.line());
        }
        return yaml.render();
    }

    private static List<String> newEntry(int dashColumn, int keyColumn, String image, String tag, String digest) {
        List<String> lines = new ArrayList<>();
        String dash = " ".repeat(dashColumn) + "-" + " ".repeat(Math.max(1, keyColumn - dashColumn - 1));
        lines.add(dash + "name: " + YamlLines.format(image, (char) 0));
        lines.add(" ".repeat(keyColumn) + "newTag: " + YamlLines.format(tag, (char) 0));
        if (digest != null) {
            lines.add(" ".repeat(keyColumn) + "digest: " + YamlLines.format(digest, (char) 0));
        }
        return lines;
    }

    /** The top-level images list; null when the file has none. */
    private static Block block(YamlLines yaml, boolean forEdit) {
        int keyLine = yaml.findKey(0, yaml.size(), 0, IMAGES);
        if (keyLine < 0) {
            return null;
        }
        YamlLines.KeyValue kv = yaml.keyAt(keyLine, 0);
        if (yaml.hasInlineValue(kv)) {
            String text = yaml.text(keyLine);
            String inline = text.substring(kv.colon() + 1).strip();
            String comment = inline.indexOf('#') > 0 ? inline.substring(inline.indexOf('#')) : "";
            String value = inline.substring(0, inline.length() - comment.length()).strip();
            if (!value.equals("[]")) {
                throw yaml.malformed(keyLine, "'images' is not a block list; write its entries as '- name: ...'");
            }
            if (forEdit) {
                yaml.replace(keyLine, text.substring(0, kv.colon() + 1) + (comment.isEmpty() ? "" : " " + comment));
            }
            return new Block(keyLine + 1, keyLine + 1, 2, 2, List.of());
        }
        int end = yaml.blockEnd(keyLine, 0, yaml.size());
        int first = yaml.nextContent(keyLine + 1, end);
        if (first < 0) {
            return new Block(keyLine + 1, end, 2, 2, List.of());
        }
        if (!yaml.isItem(first)) {
            throw yaml.malformed(first, "'images' is not a list");
        }
        int column = yaml.indent(first);
        List<Integer> dashes = new ArrayList<>();
        for (int i = first; i < end; i++) {
            if (yaml.isContent(i) && yaml.indent(i) == column && yaml.isItem(i)) {
                dashes.add(i);
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (int n = 0; n < dashes.size(); n++) {
            int dash = dashes.get(n);
            int entryEnd = n + 1 < dashes.size() ? dashes.get(n + 1) : end;
            int keyColumn = yaml.itemColumn(dash);
            if (keyColumn < 0) {
                int next = yaml.nextContent(dash + 1, entryEnd);
                keyColumn = next < 0 ? -1 : yaml.indent(next);
            } else if (yaml.keyAt(dash, keyColumn) == null) {
                keyColumn = -1;
            }
            entries.add(new Entry(dash, entryEnd, keyColumn));
        }
        int offset = entries.stream().filter(e -> e.keyColumn() > column).findFirst()
                .map(e -> e.keyColumn() - column).orElse(2);
        return new Block(keyLine + 1, end, column, offset, entries);
    }

    /** An image pinned in a kustomization: {@code name} is what the manifests say, {@code newName} replaces it. */
    record Pin(String name, String newName, String newTag, String digest) {

        String image() {
            return newName != null && !newName.isEmpty() ? newName : name;
        }
    }

    private record Block(int from, int to, int sequenceColumn, int keyOffset, List<Entry> entries) {
    }

    /** One list item; {@code keyColumn} is -1 when it is not a block mapping. */
    private record Entry(int dashLine, int end, int keyColumn) {

        YamlLines.Scalar scalar(YamlLines yaml, String key) {
            if (keyColumn < 0) {
                return null;
            }
            int line = yaml.findKey(dashLine, end, keyColumn, key);
            return line < 0 ? null : yaml.scalar(yaml.keyAt(line, keyColumn));
        }

        String value(YamlLines yaml, String key) {
            YamlLines.Scalar s = scalar(yaml, key);
            return s == null || s.value().isEmpty() ? null : s.value();
        }
    }
}
