package dev.dockhand.agent.cli;

import dev.dockhand.agent.catalog.CatalogWriter;
import dev.dockhand.agent.workbench.WorkbenchImporter;
import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.InvalidInputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code agent import-workbench FILE}: a BlueData workbench script in, catalog JSON out. */
@Command(
        name = "import-workbench",
        mixinStandardHelpOptions = true,
        description = {
            "Read a BlueData workbench script (role add, service add, clusterconfig new/assign, appconfig autogen,"
                    + " REGISTER_START_SERVICE_SYSV) and print the equivalent catalog JSON on stdout.",
            "Problems go to stderr as FILE:LINE: error|warning: message. With any error nothing is printed on"
                    + " stdout (so a redirect never yields a catalog that would not load) and the exit code is 2."
                    + " Warnings alone are printed and the catalog is written, exit 0 (2 with --strict).",
        },
        footer = {
            "%nWhat the script does not say is filled in:",
            "  command   a placeholder that exits 78 with 'service X has no command ... set services[].command'."
                    + " Replace it before running the catalog.",
            "  health    a TCP probe on the service's --port (none without a port), so --wait means 'accepts connections'.",
            "  templates each autogen --replace FILE becomes a template (source FILE without its leading /,"
                    + " target FILE) of the service named in the path (/tmp/zookeeper/myid: zookeeper),"
                    + " else of the first service, with a warning.",
            "  the rest  the catalog defaults (stop TERM 30s, restart always, memory weight 1).",
            "Trailing spaces are ignored (slides add them after a \\ continuation); an option whose value sits"
                    + " alone on the next line (the talk's --macro) takes it, with a warning; -pattern is read as --pattern,"
                    + " with a warning.",
        })
public final class ImportWorkbenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the workbench script (.bdwb)")
    String file;

    @Option(names = "--strict", description = "fail (exit 2, no output) on warnings too")
    boolean strict;

    @Override
    public Integer call() {
        String text;
        try {
            text = InputFiles.read(Path.of(file), InputFiles.CATALOG_LIMIT);
        } catch (InputFiles.Refused e) {
            throw new InvalidInputException("workbench script " + file + " " + e.getMessage());
        }
        WorkbenchImporter.Result result = WorkbenchImporter.parse(file, text);
        PrintWriter err = spec.commandLine().getErr();
        result.problems().forEach(p -> err.println(p.format(file)));
        err.flush();
        if (result.catalog().isEmpty() || (strict && result.hasWarnings())) {
            return ExitCode.INVALID_INPUT.code;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(CatalogWriter.toJson(result.catalog().get()));
        out.flush();
        return ExitCode.OK.code;
    }
}
