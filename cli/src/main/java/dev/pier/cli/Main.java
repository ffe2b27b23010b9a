package dev.pier.cli;

import dev.pier.cli.command.ContainerCommands;
import dev.pier.cli.command.ImageCommands;
import dev.pier.cli.command.InspectCommand;
import dev.pier.cli.command.NetworkCommands;
import dev.pier.cli.command.SystemCommands;
import dev.pier.cli.http.Host;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code pier}: Docker's command syntax over the Engine API. Global flags, then one command; errors
 * become Docker's messages and exit codes (125 for flag errors and run/create failures, 1 otherwise).
 */
public final class Main {
    static final String USAGE = """

            Usage:  pier [OPTIONS] COMMAND

            A Docker-compatible container engine, networking first

            Common Commands:
              run         Create and run a new container from an image
              exec        Execute a command in a running container
              ps          List containers
              images      List images
              version     Show the Pier version information
              info        Display system-wide information

            Management Commands:
              container   Manage containers
              image       Manage images
              network     Manage networks
              system      Manage Pier

            Commands:
              create      Create a new container
              import      Import the contents from a tarball to create a filesystem image
              inspect     Return low-level information on Pier objects
              kill        Kill one or more running containers
              load        Load an image from a tar archive or STDIN
              logs        Fetch the logs of a container
              port        List port mappings or a specific mapping for the container
              rename      Rename a container
              restart     Restart one or more containers
              rm          Remove one or more containers
              rmi         Remove one or more images
              start       Start one or more stopped containers
              stop        Stop one or more running containers
              tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
              wait        Block until one or more containers stop, then print their exit codes

            Global Options:
              -D, --debug              Enable debug mode
              -H, --host string        Daemon socket to connect to (default "unix:///run/pier/pier.sock",
                                       or $PIER_HOST)
                  --tls                Use TLS; implied by --tlsverify
                  --tlscacert string   Trust certs signed only by this CA (default "~/.pier/ca.pem")
                  --tlscert string     Path to TLS certificate file (default "~/.pier/cert.pem")
                  --tlskey string      Path to TLS key file (default "~/.pier/key.pem")
                  --tlsverify          Use TLS and verify the remote (or $PIER_TLS_VERIFY; files from $PIER_CERT_PATH)
              -l, --log-level string   Set the logging level (accepted, ignored)
              -v, --version            Print version information and quit

            Run 'pier COMMAND --help' for more information on a command.
            """;

    static final String CONTAINER_USAGE = """

            Usage:  pier container COMMAND

            Manage containers

            Commands:
              create      Create a new container
              exec        Execute a command in a running container
              inspect     Display detailed information on one or more containers
              kill        Kill one or more running containers
              logs        Fetch the logs of a container
              ls          List containers
              port        List port mappings or a specific mapping for the container
              prune       Remove all stopped containers
              rename      Rename a container
              restart     Restart one or more containers
              rm          Remove one or more containers
              run         Create and run a new container from an image
              start       Start one or more stopped containers
              stop        Stop one or more running containers
              wait        Block until one or more containers stop, then print their exit codes

            Run 'pier container COMMAND --help' for more information on a command.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 16384),
                false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err), 4096),
                false, StandardCharsets.UTF_8);
        if (needsDaemon(args)) {
            startSocketWarmUp();
        }
        Cli cli = new Cli(System.in, out, err, System.getenv());
        if (needsTerminalCheck(args)) {
            cli.stdinTerminal(dev.pier.cli.command.Terminal.stdinIsTerminal());
        }
        int code = run(args, cli);
        out.flush();
        err.flush();
        // halt, not exit: nothing needs shutdown hooks, and System.exit starts the logging framework
        // (Runtime.exit logging), which alone costs more than a whole command
        Runtime.getRuntime().halt(code);
    }

    /** Everything but version and help talks to the daemon; the warm-up only helps a unix socket. */
    private static boolean needsDaemon(String[] args) {
        String host = System.getenv("PIER_HOST");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-v", "--version", "-h", "--help", "help" -> {
                    return false;
                }
                case "-H", "--host" -> host = i + 1 < args.length ? args[i + 1] : host;
                default -> {
                    if (arg.startsWith("--host=")) {
                        host = arg.substring(7);
                    }
                }
            }
        }
        return args.length > 0 && (host == null || host.isEmpty() || host.startsWith("unix://"));
    }

    /**
     * The JDK's first AF_UNIX SocketChannel costs tens of milliseconds of one-time set-up (selector
     * provider lookup, UnixDomainSockets' SecureRandom): pay it on the second core while the main
     * thread parses arguments and prepares JSON and templates.
     */
    static Thread startSocketWarmUp() {
        Thread warmUp = new Thread(new SocketWarmUp(), "pier-socket-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        return warmUp;
    }

    /** Opens and closes one unix socket channel: what matters is the JDK's class initialisation. */
    private static final class SocketWarmUp implements Runnable {
        @Override
        public void run() {
            try {
                java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX).close();
            } catch (java.io.IOException | RuntimeException ignored) {
                // the real connection will report any problem
            }
        }
    }

    /** Only interactive commands need to know whether stdin is a terminal. */
    private static boolean needsTerminalCheck(String[] args) {
        for (String arg : args) {
            switch (arg) {
                case "run", "exec", "start", "load", "attach" -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    /** Runs one command line and returns the exit code; all output goes through {@code cli}. */
    public static int run(String[] args, Cli cli) {
        try {
            return dispatch(args, cli);
        } catch (CliError error) {
            return report(cli, error);
        } catch (IOException e) {
            cli.out().flush();
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            cli.err().println("error during connect: " + message);
            return 1;
        } finally {
            cli.out().flush();
            cli.err().flush();
        }
    }

    private static int dispatch(String[] args, Cli cli) throws CliError, IOException {
        int i = 0;
        while (i < args.length && args[i].length() > 1 && args[i].charAt(0) == '-') {
            String arg = args[i];
            if (arg.equals("--")) {
                i++;
                break;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (!arg.startsWith("--") && arg.length() > 2) {
                name = arg.substring(0, 2);
                value = arg.charAt(2) == '=' ? arg.substring(3) : arg.substring(2);
            }
            switch (name) {
                case "-v", "--version" -> {
                    cli.out().println("Pier version " + Cli.VERSION);
                    return 0;
                }
                case "-h", "--help" -> throw new CliError.Help(USAGE);
                case "-D", "--debug" -> {
                    if (value != null && !name.startsWith("--")) {
                        throw globalFlagError("unknown shorthand flag: '" + arg.charAt(2) + "' in " + arg);
                    }
                }
                case "--tls", "--tlsverify" -> {
                    boolean on = value == null || Boolean.parseBoolean(value);
                    Cli.TlsFlags f = cli.tlsFlagsGiven();
                    cli.tlsFlags(name.equals("--tls") ? new Cli.TlsFlags(on, f.verify(), f.caCertificate(), f.certificate(), f.key())
                            : new Cli.TlsFlags(f.tls(), on, f.caCertificate(), f.certificate(), f.key()));
                }
                case "--tlscacert", "--tlscert", "--tlskey" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) throw globalFlagError("flag needs an argument: " + name);
                        value = args[++i];
                    }
                    Cli.TlsFlags f = cli.tlsFlagsGiven();
                    cli.tlsFlags(switch (name) {
                        case "--tlscacert" -> new Cli.TlsFlags(f.tls(), f.verify(), value, f.certificate(), f.key());
                        case "--tlscert" -> new Cli.TlsFlags(f.tls(), f.verify(), f.caCertificate(), value, f.key());
                        default -> new Cli.TlsFlags(f.tls(), f.verify(), f.caCertificate(), f.certificate(), value);
                    });
                }
                case "-H", "--host", "-l", "--log-level", "--config", "-c", "--context" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw globalFlagError(name.startsWith("--") ? "flag needs an argument: " + name
                                    : "flag needs an argument: '" + name.charAt(1) + "' in " + name);
                        }
                        value = args[++i];
                    }
                    if (name.equals("-H") || name.equals("--host")) {
                        try {
                            Host.parse(value);
                        } catch (IllegalArgumentException e) {
                            throw globalFlagError("invalid argument \"" + value + "\" for \"-H, --host\" flag: " + e.getMessage());
                        }
                        cli.hostSpec(value);
                    }
                }
                default -> throw globalFlagError(arg.startsWith("--") ? "unknown flag: " + name
                        : "unknown shorthand flag: '" + arg.charAt(1) + "' in " + arg);
            }
            i++;
        }
        if (i >= args.length) {
            throw new CliError.Help(USAGE);
        }
        String command = args[i];
        int from = i + 1;
        return switch (command) {
            case "run" -> ContainerCommands.run(cli, args, from);
            case "create" -> ContainerCommands.create(cli, args, from);
            case "start" -> ContainerCommands.startCommand(cli, args, from);
            case "stop" -> ContainerCommands.stop(cli, args, from);
            case "restart" -> ContainerCommands.restart(cli, args, from);
            case "kill" -> ContainerCommands.kill(cli, args, from);
            case "rm" -> ContainerCommands.rm(cli, args, from);
            case "rename" -> ContainerCommands.rename(cli, args, from);
            case "ps" -> ContainerCommands.ps(cli, "ps", args, from);
            case "logs" -> ContainerCommands.logs(cli, args, from);
            case "exec" -> ContainerCommands.exec(cli, args, from);
            case "port" -> ContainerCommands.port(cli, args, from);
            case "wait" -> ContainerCommands.waitCommand(cli, args, from);
            case "inspect" -> InspectCommand.inspect(cli, args, from);
            case "images" -> ImageCommands.images(cli, "images", args, from);
            case "rmi" -> ImageCommands.rmi(cli, "rmi", args, from);
            case "import" -> ImageCommands.importImage(cli, "import", args, from);
            case "load" -> ImageCommands.load(cli, "load", args, from);
            case "tag" -> ImageCommands.tag(cli, "tag", args, from);
            case "network" -> NetworkCommands.dispatch(cli, args, from);
            case "image" -> ImageCommands.dispatch(cli, args, from);
            case "container" -> container(cli, args, from);
            case "system" -> system(cli, args, from);
            case "version" -> SystemCommands.version(cli, args, from);
            case "info" -> SystemCommands.info(cli, args, from);
            case "help" -> help(cli, args, from);
            default -> throw new CliError.Usage("pier: unknown command: pier " + command, "", "", false, false);
        };
    }

    private static int container(Cli cli, String[] args, int from) throws CliError, IOException {
        if (from >= args.length || args[from].equals("--help") || args[from].equals("-h")) {
            throw new CliError.Help(CONTAINER_USAGE);
        }
        String sub = args[from];
        int next = from + 1;
        return switch (sub) {
            case "run" -> ContainerCommands.run(cli, args, next);
            case "create" -> ContainerCommands.create(cli, args, next);
            case "start" -> ContainerCommands.startCommand(cli, args, next);
            case "stop" -> ContainerCommands.stop(cli, args, next);
            case "restart" -> ContainerCommands.restart(cli, args, next);
            case "kill" -> ContainerCommands.kill(cli, args, next);
            case "rm", "remove" -> ContainerCommands.rm(cli, args, next);
            case "rename" -> ContainerCommands.rename(cli, args, next);
            case "prune" -> ContainerCommands.prune(cli, args, next);
            case "ls", "list", "ps" -> ContainerCommands.ps(cli, "container ls", args, next);
            case "logs" -> ContainerCommands.logs(cli, args, next);
            case "exec" -> ContainerCommands.exec(cli, args, next);
            case "port" -> ContainerCommands.port(cli, args, next);
            case "wait" -> ContainerCommands.waitCommand(cli, args, next);
            case "inspect" -> InspectCommand.typed(cli, "container inspect", "container", args, next);
            default -> throw unknownSub("container", sub);
        };
    }

    private static int system(Cli cli, String[] args, int from) throws CliError, IOException {
        if (from >= args.length || args[from].equals("--help") || args[from].equals("-h")) {
            throw new CliError.Help("\nUsage:  pier system COMMAND\n\nManage Pier\n\nCommands:\n"
                    + "  info        Display system-wide information\n\n"
                    + "Run 'pier system COMMAND --help' for more information on a command.\n");
        }
        return switch (args[from]) {
            case "info" -> SystemCommands.info(cli, args, from + 1);
            default -> throw unknownSub("system", args[from]);
        };
    }

    private static CliError.Usage unknownSub(String group, String sub) {
        if (sub.startsWith("-")) {
            String flag = sub.startsWith("--") ? "unknown flag: " + sub : "unknown shorthand flag: '" + sub.charAt(1) + "' in " + sub;
            return new CliError.Usage(flag, group, "pier " + group + " COMMAND", true, false);
        }
        return new CliError.Usage("pier: unknown command: pier " + group + " " + sub, group, "pier " + group, false, false);
    }

    /** {@code pier help} or {@code pier help COMMAND...}: the command's own --help. */
    private static int help(Cli cli, String[] args, int from) throws CliError, IOException {
        if (from >= args.length) {
            throw new CliError.Help(USAGE);
        }
        String[] helpArgs = new String[args.length - from + 1];
        System.arraycopy(args, from, helpArgs, 0, args.length - from);
        helpArgs[helpArgs.length - 1] = "--help";
        return dispatch(helpArgs, cli);
    }

    private static CliError.Usage globalFlagError(String message) {
        return new CliError.Usage(message, "", "pier [OPTIONS] COMMAND", true, false);
    }

    /** Prints an error the way Docker lays it out and returns the exit code. */
    static int report(Cli cli, CliError error) {
        cli.out().flush();
        PrintStream err = cli.err();
        if (error instanceof CliError.Help help) {
            cli.out().print(help.getMessage());
            return 0;
        }
        if (error instanceof CliError.Usage usage) {
            StringBuilder text = new StringBuilder(usage.getMessage()).append('\n');
            if (!usage.usageLine().isEmpty()) {
                text.append("\nUsage:  ").append(usage.usageLine()).append('\n');
            }
            String target = usage.command().isEmpty() ? "pier" : "pier " + usage.command();
            text.append('\n').append(usage.seeHint() ? "See '" : "Run '").append(target).append(" --help' for more information");
            err.println(text);
            return usage.flagError() ? 125 : 1;
        }
        if (error instanceof CliError.Failure failure) {
            if (!failure.getMessage().isEmpty()) {
                err.println(failure.getMessage());
            }
            return failure.exitCode();
        }
        if (error instanceof CliError.Exit exit) {
            return exit.exitCode();
        }
        err.println(error.getMessage());
        return 1;
    }
}
