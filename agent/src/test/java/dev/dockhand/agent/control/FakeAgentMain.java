package dev.dockhand.agent.control;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A control plane over {@link FakeSupervisor#mixed()} for trying the CLI by hand and timing it:
 * {@code java -cp agent/target/agent.jar:agent/target/test-classes dev.dockhand.agent.control.FakeAgentMain SOCKET [HTTP_PORT]}.
 */
public final class FakeAgentMain {
    private FakeAgentMain() {}

    public static void main(String[] args) throws Exception {
        InetSocketAddress http = args.length > 1 ? new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])) : null;
        try (ControlServer server = ControlServer.start(FakeSupervisor.mixed(), Path.of(args[0]), http)) {
            System.out.println("serving " + server.socket() + server.httpAddress().map(a -> " and http " + a).orElse(""));
            Thread.currentThread().join();
        }
    }
}
