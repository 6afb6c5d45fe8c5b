package io.pgsubset.cli;

/** How a command prints a table: aligned text for people, JSON for programs. */
public enum OutputFormat {
    text, json
}
