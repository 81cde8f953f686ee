package dev.dockhand.agent.metadata;

/** A value with where it came from. */
public record Sourced<T>(T value, Source source) {}
