package dev.dockhand.agent.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** The CLI run in this JVM as a user runs it, with the env given: its exit code, stdout and stderr. */
final class Cli {
    private Cli() {}

    record Result(int code, String out, String err) {
        String both() {
            return out + err;
        }
    }

    static Result run(Map<String, String> env, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = AgentCommand.commandLine(env);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }
}
