/**
 * The agent's control plane: a Unix socket for the CLI ({@code agent status|start|stop|restart|reload|
 * health|ready}) and read-only HTTP for probes and metrics, both over one
 * {@link dev.dockhand.agent.supervise.SupervisorControl}. Entry points: {@link
 * dev.dockhand.agent.control.ControlServer#start} (the agent) and {@link
 * dev.dockhand.agent.control.ControlClient} (the CLI).
 *
 * <h2>Socket</h2>
 * Path {@code /run/agent/agent.sock} unless {@code --socket} or {@code AGENT_SOCKET} say otherwise.
 * A missing directory is created with mode 0700; the socket file has mode 0600 from the moment it
 * appears (bound under a temporary name, chmod, renamed). A socket file left by a dead agent is
 * replaced; a live one (another agent answers) or a path that is not a socket is an error. The file
 * is removed when the server closes.
 *
 * <h2>Who may ask</h2>
 * The server reads each connection's peer credentials ({@code SO_PEERCRED}) and answers only the
 * agent's own uid (the socket file's owner) and root; root because an operator with {@code docker
 * exec} is root in most images and could read the agent's memory anyway. Others get
 * {@code {"ok":false,"error":"permission-denied","message":"permission denied: the agent runs as uid
 * X; run this as that user or root"}}. With the default modes another uid cannot even open the
 * socket; the client says "permission denied: cannot open the agent's socket ...". The CLI exits 2
 * in both cases (the caller must change something).
 *
 * <h2>Protocol</h2>
 * One request per connection: the client sends one JSON object followed by a newline (or closes its
 * write side), the server answers one JSON object followed by a newline and closes. A request not
 * complete within 10 s is dropped. Idle clients hold no thread: one selector thread serves the socket
 * and the HTTP port together ({@link dev.dockhand.agent.net.RequestServer}), a request reaches a worker
 * only once complete, and at most 128 connections stay open per listener (a new one closes the oldest
 * still sending its request). Requests:
 * <pre>
 * {"op":"status"}                                  the snapshot
 * {"op":"health"}                                  ok = the supervision loop is alive
 * {"op":"ready"}                                   ok = every service is ready; the snapshot too
 * {"op":"start","service":"kafka"}
 * {"op":"stop","service":"kafka","force":false}     refused when other services depend on it, unless force
 * {"op":"restart","service":"kafka"}
 * {"op":"reload"}                                  re-render; restart only services whose files changed
 * </pre>
 * Reply: {@code {"ok":true,"message":"...","snapshot":{...}}}; when not ok, {@code "error"} is one of
 * {@code refused} (the supervisor, or the readiness/liveness check, said no: the message says why),
 * {@code permission-denied}, {@code bad-request} (not JSON, unknown op, missing service) or
 * {@code internal}. {@code snapshot} is {@link dev.dockhand.agent.protocol.AgentSnapshot} by its
 * field names. Unknown fields are ignored both ways. Try it without the CLI:
 * {@code printf '{"op":"status"}\n' | socat - UNIX-CONNECT:/run/agent/agent.sock}.
 *
 * <h2>HTTP</h2>
 * Port {@code --http-port} / {@code AGENT_HTTP_PORT} (default 9800, 0 disables), bind address
 * {@code --http-bind} / {@code AGENT_HTTP_BIND} (default 0.0.0.0). GET and HEAD only (else 405),
 * exact paths (else 404), no authentication because nothing here changes anything. A request head
 * must arrive within 3 s (else 408 and closed) and fit in 8 KiB (else 431):
 * {@code /livez} 200 while the supervision loop is alive, also while services are still starting;
 * {@code /readyz} 200 when every service is ready, else 503 naming the others; {@code /status} the
 * snapshot as JSON; {@code /metrics} Prometheus text format 0.0.4: {@code dockhand_service_up},
 * {@code dockhand_service_state{state=...}} (every state, 1 for the current one),
 * {@code dockhand_service_restarts_total}, {@code dockhand_service_probe_latency_seconds},
 * {@code dockhand_service_probe_success} (the probe metrics appear after a service's first probe),
 * for a service with a stop gate {@code dockhand_service_stop_waiting},
 * {@code dockhand_service_stop_wait_seconds}, {@code dockhand_service_stop_waits_total} and
 * {@code dockhand_service_stop_unsafe_total}, {@code dockhand_agent_resident_memory_bytes}, {@code dockhand_agent_uptime_seconds},
 * {@code dockhand_agent_ready}.
 *
 * <h2>Secrets</h2>
 * Every snapshot leaves the agent through {@link dev.dockhand.agent.control.Redactor}: in reasons and
 * probe details, the values of keys whose names contain password, secret, jaas, key, token or
 * credential are replaced with {@code ****}. Log lines about requests are redacted the same way.
 *
 * <h2>Why not Jackson</h2>
 * {@code agent health} is a Docker HEALTHCHECK run every few seconds in every container; Jackson's
 * class loading doubled its time. And the server is PID 1, which keeps what it loads. So both sides
 * read with {@link dev.dockhand.agent.json.JsonReader} (this package imports {@code json}, never the
 * other way) and write and map records with {@code Json}; the client loads no logger either.
 * JsonTest holds {@code Json} to Jackson's output. The {@code @JsonInclude} annotations on
 * {@code Request} and {@code ControlReply} only matter to Jackson (the tests' reference); the agent
 * never asks for a class's annotations, so the JVM never loads them.
 */
package dev.dockhand.agent.control;
