package dev.dockhand.agent.catalog;

/** The catalog entry's identity, as the talk's {@code catalog new --distroid ... --name ... --version}. */
public record Distro(String id, String name, String version) {}
