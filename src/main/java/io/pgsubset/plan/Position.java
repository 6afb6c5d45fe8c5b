package io.pgsubset.plan;

/** A place in the plan file, 1-based as editors count (SnakeYAML marks are 0-based). */
public record Position(int line, int column) {
    public static final Position START = new Position(1, 1);

    static Position of(org.yaml.snakeyaml.error.Mark mark) {
        return mark == null ? START : new Position(mark.getLine() + 1, mark.getColumn() + 1);
    }

    static Position of(org.yaml.snakeyaml.nodes.Node node) {
        return of(node.getStartMark());
    }
}
