package dev.dockhand.agent.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** One named logger of {@link AgentLog}; its level is looked up once and updated by {@code setLevel}. */
final class AgentLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    private final transient AgentLog log;
    private final String shortName;
    transient volatile Level level;

    AgentLogger(String name, AgentLog log, Level level) {
        this.name = name;
        this.log = log;
        this.level = level;
        this.shortName = name.substring(name.lastIndexOf('.') + 1);
    }

    private boolean enabled(Level wanted) {
        return wanted.toInt() >= level.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
        log.write(level, shortName, MessageFormatter.basicArrayFormat(pattern, arguments), throwable);
    }
}
