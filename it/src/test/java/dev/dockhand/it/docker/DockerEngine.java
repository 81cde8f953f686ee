package dev.dockhand.it.docker;

import dev.dockhand.it.lab.Need;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Whether the Docker tests run, from a setting rather than from one socket path:
 * <ul>
 * <li>{@code -Ddockhand.docker=true} (or env {@code DOCKHAND_DOCKER=true}; {@code .ci/run} sets it, and so
 *     does {@code -Pdocker}): they run, and fail when no engine answers {@code docker info} (which honours
 *     {@code DOCKER_HOST} and the docker CLI's context);</li>
 * <li>{@code false}: they are skipped, saying so;</li>
 * <li>unset: under {@code CI=true} as {@code true}; otherwise they run when an engine answers and are
 *     skipped, saying why, when none does (a newcomer's {@code mvn -B verify}).</li>
 * </ul>
 */
final class DockerEngine implements ExecutionCondition, BeforeAllCallback {
    /** Put on a test class that needs a Docker engine. */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(DockerEngine.class)
    @interface Needed {}

    private static volatile String answer;

    /** The setting: "true", "false", or "" when unset. */
    static String setting() {
        String p = System.getProperty("dockhand.docker", "");
        if (p.isBlank()) {
            p = System.getenv().getOrDefault("DOCKHAND_DOCKER", "");
        }
        return p.strip().toLowerCase(java.util.Locale.ROOT);
    }

    static boolean required() {
        String s = setting();
        return s.equals("true") || (s.isEmpty() && Need.ci());
    }

    /** Null when an engine answers {@code docker info}; otherwise what the CLI said. Asked once per JVM. */
    static String unanswered() {
        if (answer == null) {
            String why;
            try {
                Docker.Result r = Docker.run(List.of("docker", "info", "--format", "{{.ServerVersion}}"), null, Duration.ofSeconds(30));
                why = r.exit() == 0 && !r.out().isBlank() ? "" : ("`docker info` exited " + r.exit() + ": " + r.all().strip());
            } catch (RuntimeException | AssertionError e) {
                why = "cannot run the docker CLI: " + e.getMessage();
            }
            answer = why;
        }
        return answer.isEmpty() ? null : answer;
    }

    private static String where() {
        String host = System.getenv("DOCKER_HOST");
        return host == null || host.isBlank() ? "DOCKER_HOST unset: the CLI's default engine" : "DOCKER_HOST=" + host;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (required()) {
            return ConditionEvaluationResult.enabled("the Docker tests are required (dockhand.docker=" + setting() + ", CI=" + System.getenv("CI") + ")");
        }
        if (setting().equals("false")) {
            return ConditionEvaluationResult.disabled("dockhand.docker=false: the Docker tests are off");
        }
        String why = unanswered();
        return why == null
                ? ConditionEvaluationResult.enabled("a Docker engine answers (" + where() + ")")
                : ConditionEvaluationResult.disabled("no Docker engine answers (" + where() + "): " + why
                        + "; -Ddockhand.docker=true makes that a failure (CI sets it)");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String why = unanswered();
        if (why != null) {
            throw new AssertionError("the Docker tests are required (dockhand.docker=" + setting() + ", CI=" + System.getenv("CI")
                    + ") but no Docker engine answers (" + where() + "): " + why);
        }
    }
}
