/**
 * The agent's one JSON reader: {@link dev.dockhand.agent.json.JsonReader} parses strict RFC 8259
 * text into immutable {@link dev.dockhand.agent.json.JsonValue}s, optionally noting the line each
 * value starts on by its path ({@code services[2].health.type}), and reports a syntax error as a
 * {@link dev.dockhand.agent.json.JsonSyntaxException} with line and column.
 *
 * <p>A leaf: it imports nothing from the rest of the agent, and the catalog and metadata readers
 * and the control plane import it. Writing JSON is not here; the control plane writes its own, and
 * {@code agent import-workbench} and the catalog writer, off the run path, still use Jackson.
 *
 * <p>Why not Jackson: {@code agent run} is PID 1 of every container and keeps every class it loads
 * for the container's life. Jackson's streaming parser and tree were about a hundred classes of
 * PID 1 for reading two small files at start; these are three.
 */
package dev.dockhand.agent.json;
