package dev.pier.cli.command;

import dev.pier.cli.http.ApiClient;
import dev.pier.cli.http.Response;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Docker's --sig-proxy for foreground non-TTY runs: Ctrl-C and friends are sent to the container
 * instead of ending the CLI, which keeps streaming until the container exits.
 */
final class SignalProxy implements SignalHandler {
    private static final String[] SIGNALS = {"INT", "TERM", "HUP", "QUIT", "USR1", "USR2"};

    private final ApiClient api;
    private final String id;

    private SignalProxy(ApiClient api, String id) {
        this.api = api;
        this.id = id;
    }

    static void install(ApiClient api, String id) {
        SignalProxy proxy = new SignalProxy(api, id);
        for (String name : SIGNALS) {
            try {
                Signal.handle(new Signal(name), proxy);
            } catch (IllegalArgumentException e) {
                // the JVM keeps some signals for itself (QUIT): leave those alone
            }
        }
    }

    @Override
    public void handle(Signal signal) {
        // the handler thread must not block on the daemon
        Thread.ofVirtual().start(new Forward(api, id, "SIG" + signal.getName()));
    }

    private record Forward(ApiClient api, String id, String signal) implements Runnable {
        @Override
        public void run() {
            try (Response ignored = api.request("POST", "/containers/" + ApiClient.segment(id) + "/kill?signal=" + signal,
                    null, null)) {
                // the container decides what the signal means
            } catch (Exception e) {
                // nothing useful to report from a signal handler
            }
        }
    }
}
