package dev.pier.runtime;

import dev.pier.linux.Processes;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process exec'd with a terminal (`exec -t`): runc started it detached and handed over the
 * terminal's master, so its output (stdout and stderr together, as on any terminal) is
 * {@link #getInputStream()}, its input {@link #getOutputStream()}, and its exit status comes
 * from pierd's subreaper watch. {@link #resize} changes the terminal's size.
 */
public final class TerminalProcess extends Process {
    private final Processes.Terminal terminal;
    private final long pid;
    private final CompletableFuture<Integer> exit;
    private final InputStream input;
    private final OutputStream output;

    TerminalProcess(Processes.Terminal terminal, long pid, CompletableFuture<Integer> exit) {
        this.terminal = terminal;
        this.pid = pid;
        this.exit = exit;
        this.input = terminal.input();
        this.output = terminal.output();
    }

    public void resize(int rows, int cols) {
        terminal.resize(rows, cols);
    }

    @Override public OutputStream getOutputStream() { return output; }
    @Override public InputStream getInputStream() { return input; }
    @Override public InputStream getErrorStream() { return InputStream.nullInputStream(); }
    @Override public long pid() { return pid; }
    @Override public boolean isAlive() { return !exit.isDone(); }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            return -1;
        }
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exit.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    @Override
    public int exitValue() {
        if (!exit.isDone()) throw new IllegalThreadStateException("process " + pid + " has not exited");
        return exit.join();
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exit.thenApply(code -> this);
    }

    @Override
    public void destroy() {
        if (isAlive()) Processes.signal(pid, Processes.SIGTERM);
    }

    @Override
    public Process destroyForcibly() {
        if (isAlive()) Processes.signal(pid, Processes.SIGKILL);
        return this;
    }
}
