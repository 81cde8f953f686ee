package dev.dockhand.registry.auth;

import dev.dockhand.users.Login;
import dev.dockhand.users.FailedLogins;
import dev.dockhand.users.LoginCache;
import dev.dockhand.users.UsersFile;
import io.quarkus.runtime.StartupEvent;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import javax.annotation.PostConstruct;
import javax.enterprise.event.Observes;
import javax.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The registry's logins, from the settings of the rendered application.properties:
 * <ul>
 *   <li>{@code dockhand.registry.users-file}: the users file ({@code users.hashed}); unset, nothing
 *       needs a login (a plaintext node, as before);
 *   <li>{@code dockhand.registry.auth}: {@code writes} (the default) or {@code all}.
 * </ul>
 * Read once, at start: a users file that is missing, unreadable or malformed, or an unknown mode,
 * stops the start with a message that names it, rather than serving a registry open to writes.
 */
@Singleton
public class Logins {
    private static final Logger LOG = Logger.getLogger(Logins.class);
    static final String USERS_FILE = "dockhand.registry.users-file";
    static final String AUTH = "dockhand.registry.auth";
    /** Far more distinct logins than a cluster's clients make: each is one user with one password. */
    static final int CACHE_ENTRIES = 1024;
    /** What a users file without users would mean for this registry. */
    static final String NOBODY_COULD = "write to this registry";

    @ConfigProperty(name = USERS_FILE)
    Optional<String> usersFile;

    @ConfigProperty(name = AUTH)
    Optional<String> auth;

    private Gate gate;

    @PostConstruct
    void load() {
        gate = gate(usersFile, auth);
        if (gate == null) {
            return;
        }
        LOG.infof("logins required for %s (%s=%s); users from %s: %s", gate.mode() == Gate.Mode.ALL ? "every request" : "writes",
                AUTH, gate.mode(), usersFile.get(), gate.users());
    }

    /** Makes the start fail on a bad users file, rather than the first request. */
    void onStart(@Observes StartupEvent event) {
        // the injection point alone creates the bean and runs load()
    }

    /** The gate of the request, or null when nothing needs a login. */
    Gate gate() {
        return gate;
    }

    static Gate gate(Optional<String> usersFile, Optional<String> auth) {
        Gate.Mode mode = Gate.Mode.WRITES;
        if (auth.isPresent()) {
            mode = Gate.Mode.parse(auth.get().strip());
            if (mode == null) {
                throw new IllegalStateException(AUTH + "=" + auth.get() + " is not a mode: use writes (logins for writes only) or all");
            }
        }
        if (usersFile.isEmpty()) {
            if (auth.isPresent()) {
                throw new IllegalStateException(AUTH + "=" + auth.get() + " is set but " + USERS_FILE
                        + " is not: name the users file (a secured node's users.hashed)");
            }
            return null;
        }
        Map<String, Login> users;
        try {
            users = UsersFile.read(Path.of(usersFile.get()), "registry", NOBODY_COULD);
        } catch (UsersFile.Invalid e) {
            throw new IllegalStateException(USERS_FILE + ": " + e.getMessage() + "\nThe registry does not start without its logins.");
        }
        return new Gate(users, mode, new LoginCache(CACHE_ENTRIES), new FailedLogins(System::nanoTime, line -> LOG.warn(line)));
    }

}
