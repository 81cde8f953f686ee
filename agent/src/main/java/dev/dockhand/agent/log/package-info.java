/**
 * The agent's own SLF4J backend: one line per event on stderr, UTC timestamps, levels from
 * {@code AGENT_LOG_LEVEL}. A leaf package: every other package logs through the SLF4J API and none
 * of them imports this one, except the console, which quiets the Kafka client's loggers.
 *
 * <p>Why not slf4j-simple: its date format pulls in {@code SimpleDateFormat}, the CLDR locale
 * providers and a thousand {@code Locale} objects, about a tenth of PID 1's classes and memory, for
 * a timestamp that a few lines of arithmetic produce.
 */
package dev.dockhand.agent.log;
