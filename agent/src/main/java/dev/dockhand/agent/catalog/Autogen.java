package dev.dockhand.agent.catalog;

/**
 * One {@code appconfig autogen --replace FILE -pattern PATTERN --macro MACRO} line: in the rendered
 * {@code file} (a template target, relative to the config dir), every {@code pattern} is replaced by
 * the value of {@code macro}.
 */
public record Autogen(String file, String pattern, String macro) {}
