package dev.dockhand.agent.plan;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.render.RenderTestSupport;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.Pem;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;

/** The secured plan tests' one setup: a jimfs with the templates and the cluster's secrets, and a node planned on it. */
final class SecretsFs {
    static final String USERS = "app:app-secret-1\nops:ops-secret-1:admin\n";

    private SecretsFs() {}

    /** The templates, and the users file at /run/secrets/users; with {@code ca}, its certificate and key beside it. */
    static FileSystem of(ClusterCa ca) throws IOException {
        FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix", "unix").build());
        RenderTestSupport.copyTemplates(fs);
        if (ca != null) {
            secret(fs, "/run/secrets/ca.crt", Pem.certificate(ca.certificate()));
            secret(fs, "/run/secrets/ca.key", Pem.privateKey(ca.key()));
        }
        secret(fs, "/run/secrets/users", USERS);
        return fs;
    }

    /** {@code text} at {@code path}, readable by its owner only (as the agent demands of a secret). */
    static void secret(FileSystem fs, String path, String text) throws IOException {
        Path p = fs.getPath(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }

    static Planner.Resolved resolve(FileSystem fs, Map<String, String> env) {
        return PlanReader.resolve(new PlanInputs("/etc/agent/templates/catalog.json", null, null, "/data/" + env.get("AGENT_FQDN"),
                "/opt/dockhand", MetadataInputs.none(), 9800), env, fs, RenderTestSupport.noHost(), RenderTestSupport.JAVA_HOME, Instant.now());
    }

    static NodePlan plan(FileSystem fs, Map<String, String> env) {
        return Planner.plan(PlanReader.read(resolve(fs, env), env, PlannerTest.FOUR_GIB, Instant.now()));
    }
}
