/**
 * Starting and reaping children (docs/adr/001-reaping.md).
 *
 * <ul>
 *   <li>{@link dev.dockhand.agent.process.Launcher}: the {@link dev.dockhand.agent.process.ProcessLauncher}
 *       for services. Output lines go to the agent's stdout/stderr as {@code <id> | <line>}, one atomic
 *       write per line; lines longer than 16 KiB are cut into 16 KiB pieces; a last line without a
 *       newline is passed on at end of file. {@code onExit} comes after the reap and the end of both
 *       pipes, or a bounded grace after the reap when a descendant holds a pipe open.
 *   <li>{@link dev.dockhand.agent.process.SingleCommand}: {@code agent run -- CMD}, a drop-in for tini and dumb-init.
 *   <li>ChildReaper: the one thread in the agent that calls waitpid, shared by both.
 * </ul>
 *
 * <p>Nothing in the agent may use {@link java.lang.ProcessBuilder}: our reaper would take its
 * children's exit statuses.
 */
package dev.dockhand.agent.process;
