import dev.dockhand.users.HashedUsers;
import dev.dockhand.users.Login;
import dev.dockhand.users.LoginCache;
import dev.dockhand.users.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a console or registry login costs the server, in the code both run (dev.dockhand.users): a
 * login not verified yet (PBKDF2-HMAC-SHA256 of the password at the line's iteration count, as
 * HashedUsers.verify does it) and a login the cache has verified (LoginCache.verified: an HMAC and a
 * map look-up), at the 100,000 iterations of before and the 600,000 of now. Figures only; asserts
 * nothing. Each count runs in a JVM of its own: its first login is timed cold (a service's first
 * login after its start); then ROUNDS more, of which the median and the p90.
 *
 *   it/bench/login-latency-bench.sh [ROUNDS]   (compiles this file against the agent's jar; one JVM per count)
 *   java LoginLatencyBench ITERATIONS ROUNDS [header]
 */
public class LoginLatencyBench {
    public static void main(String[] args) throws Exception {
        int iterations = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        if (args.length > 2) {
            System.out.println("| iterations | first login after start (ms) | later new logins p50 / p90 (ms) | cached login p50 / p90 (ms) |");
            System.out.println("|---|---|---|---|");
        }
        {
            SecureRandom random = new SecureRandom();
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            String password = "bench-password-" + iterations;
            Login user = new Login("bench", Role.CLIENT, salt, HashedUsers.hash(password, salt, iterations), iterations);
            LoginCache cache = new LoginCache(1024);
            long t = System.nanoTime();
            boolean ok = HashedUsers.verify(user, password);
            double first = (System.nanoTime() - t) / 1e6;
            if (!ok) {
                throw new AssertionError("the password did not verify");
            }
            double[] fresh = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                t = System.nanoTime();
                HashedUsers.verify(user, password);
                fresh[i] = (System.nanoTime() - t) / 1e6;
            }
            cache.remember(user, password);
            double[] cached = new double[rounds * 100];
            for (int i = 0; i < cached.length; i++) {
                t = System.nanoTime();
                if (!cache.verified(user, password)) {
                    throw new AssertionError("not cached");
                }
                cached[i] = (System.nanoTime() - t) / 1e6;
            }
            System.out.printf(Locale.ROOT, "| %,d | %.0f | %.0f / %.0f | %.3f / %.3f |%n", iterations, first,
                    pct(fresh, 50), pct(fresh, 90), pct(cached, 50), pct(cached, 90));
        }
        System.out.printf("(%,d: a JVM of its own, one thread; %d new logins and %d cached ones; load average at end %s)%n",
                iterations, rounds, rounds * 100, Files.readString(Path.of("/proc/loadavg")).strip());
    }

    static double pct(double[] v, int p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }
}
