package dev.dockhand.connect.auth;

import dev.dockhand.users.LoginCache;
import dev.dockhand.users.UsersFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;
import javax.ws.rs.Priorities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's REST extension on a secured node ({@code rest.extension.classes}): logins of the cluster's
 * users file in front of its REST API ({@link Gate}, ADR 023). Its one setting, in the worker's config:
 * {@value #USERS_FILE}, the node's {@code users.hashed}. Read once, at the worker's start (the agent restarts
 * the worker when the users change): a file that is missing, readable by others or malformed stops the
 * worker with a message that names it, rather than serving an API open to anyone.
 */
public final class ConnectLogins implements ConnectRestExtension {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectLogins.class);
    static final String USERS_FILE = "dockhand.connect.users.file";
    /** Far more distinct logins than a cluster's users make: each is one user with one password. */
    static final int CACHE_ENTRIES = 1024;

    private Gate gate;

    @Override
    public void configure(Map<String, ?> configs) {
        Object file = configs.get(USERS_FILE);
        if (file == null || file.toString().isBlank()) {
            throw new ConfigException(USERS_FILE + " is not set: name the users file (a secured node's users.hashed); "
                    + "without it the worker would serve its REST API to anyone");
        }
        try {
            gate = new Gate(UsersFile.read(Path.of(file.toString().strip()), "worker", "use this worker"), new LoginCache(CACHE_ENTRIES));
        } catch (UsersFile.Invalid e) {
            throw new ConfigException(USERS_FILE + ": " + e.getMessage() + "\nThe worker does not start without its logins.");
        }
        LOG.info("logins required for the REST API but GET /health (reads: client or admin; changes: admin); users from {}: {}",
                file, gate.users());
    }

    @Override
    public void register(ConnectRestExtensionContext context) {
        if (gate == null) {
            throw new IllegalStateException("register before configure");
        }
        // first of the request filters: nothing of the worker runs for a request that is refused
        context.configurable().register(new LoginFilter(gate), Priorities.AUTHENTICATION);
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public void close() throws IOException {
        // nothing held
    }
}
