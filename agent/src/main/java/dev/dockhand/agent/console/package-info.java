/**
 * The web console that plays Control Center's part (gateway role, port 9021): one read-only page
 * over Kafka's AdminClient, ZooKeeper's {@code srvr}, the schema registry's Confluent-compatible API
 * and every node's agent {@code /status}.
 *
 * <p>Contract:
 * <ul>
 *   <li>Isolation: only {@code cli.ConsoleCommand} refers to this package, and only inside a method
 *       body ({@link dev.dockhand.agent.console.ConsoleMain#run}); no class outside this package
 *       refers to {@code org.apache.kafka}. So {@code agent run} (PID 1) never loads the console or
 *       kafka-clients. {@code ConsoleIsolationTest} checks both.
 *   <li>Read-only: the console has no actions. Restarting or stopping a service stays with
 *       {@code agent restart|stop} on the node. {@code actions.enabled=true} is accepted for
 *       forward compatibility but changes nothing; every path other than the read-only ones is 404.
 *   <li>Bounded: one overview collection never takes longer than {@code request.timeout.ms} plus a
 *       small margin, whatever the cluster does; sources run in parallel under one deadline; a
 *       source that misses it is reported ("down: timeout"), never waited for. The overview is
 *       cached for {@code cache.ms} and concurrent requests share one collection.
 *   <li>Escaping: every dynamic value reaches HTML through {@link dev.dockhand.agent.console.Html},
 *       which escapes {@code & < > " '} by default.
 * </ul>
 */
package dev.dockhand.agent.console;
