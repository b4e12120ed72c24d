package dev.envelope.cli;

/** How commands print their result: for people, or one JSON document for scripts. */
public enum OutputFormat { TEXT, JSON }
