package dev.dockhand.it.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Writes every test or class that was skipped (a condition such as {@code @EnabledIfSystemProperty})
 * or aborted (an assumption, in a test or in {@code @BeforeAll}) to {@code target/skipped-tests/},
 * one line each: what, and why. Surefire's reports count a class aborted in {@code @BeforeAll} as
 * zero tests, not as skipped; this record does not lose it. {@code .ci/check-skips} reads it and fails
 * CI's run when it holds anything. Registered in META-INF/services, so every test JVM of this module
 * (surefire and failsafe) records.
 */
public final class SkipRecorder implements TestExecutionListener {
    private final Path file = Path.of(System.getProperty("basedir", "."), "target", "skipped-tests",
            "jvm-" + ProcessHandle.current().pid() + ".tsv");

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        record("skipped", id, reason);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            record("aborted", id, result.getThrowable().map(Throwable::getMessage).orElse("no reason given"));
        }
    }

    private void record(String how, TestIdentifier id, String reason) {
        String line = how + "\t" + name(id) + "\t" + String.valueOf(reason).replaceAll("\\s+", " ").strip() + "\n";
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record a skipped test in " + file, e);
        }
    }

    private static String name(TestIdentifier id) {
        return id.getSource().map(s -> {
            if (s instanceof MethodSource m) {
                return m.getClassName() + "." + m.getMethodName() + (id.isTest() && !id.getDisplayName().startsWith(m.getMethodName())
                        ? " [" + id.getDisplayName() + "]" : "");
            }
            if (s instanceof ClassSource c) {
                return c.getClassName() + " (the whole class)";
            }
            return id.getDisplayName();
        }).orElse(id.getDisplayName());
    }
}
