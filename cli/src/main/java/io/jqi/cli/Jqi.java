package io.jqi.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jqi} command. Exit codes: 0 success, 2 bad input or usage (one line on standard error). */
@Command(name = "jqi", mixinStandardHelpOptions = true, versionProvider = Jqi.Version.class,
        description = "jqi: quantization-aware training and fake quantization for the JVM.",
        subcommands = {FakeQuantCommand.class, io.jqi.cli.qat.QatCommand.class,
                io.jqi.cli.qat.TableCommand.class, io.jqi.cli.qat.InspectCommand.class,
                io.jqi.cli.onnx.ExportCommand.class, io.jqi.cli.onnx.PredictCommand.class,
                CommandLine.HelpCommand.class})
public final class Jqi implements Runnable {
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Jqi());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine.Model.CommandSpec command = e.getCommandLine().getCommandSpec();
            e.getCommandLine().getErr().println(command.qualifiedName() + ": " + oneLine(e.getMessage())
                    + " (see '" + command.qualifiedName() + " --help')");
            return BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            // UncheckedIOException: a dataset file that failed while examples were read (it names the file).
            if (e instanceof IllegalArgumentException || e instanceof IOException || e instanceof UncheckedIOException) {
                c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + oneLine(e.getMessage()));
                return BAD_INPUT;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static String oneLine(String message) {
        return message == null ? "error" : message.replaceAll("\\s*\\R\\s*", " ");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Jqi.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"jqi " + p.getProperty("version", "(unknown version)"),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
