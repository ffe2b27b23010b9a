package dev.pier.linux.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The platform threads that visit network namespaces on behalf of callers (virtual threads must
 * never setns: they would carry the namespace to whatever carrier runs them next).
 *
 * <p>A worker lives in the home namespace. For each task it setns(2)'s into the target, runs the
 * task, and setns(2)'s back home; a worker that cannot get home is discarded rather than reused, so
 * an idle worker never pins a namespace nor leaks one into the next task. Workers are reused while
 * busy callers keep them warm and die after a minute idle; the pool grows on demand, so a task that
 * blocks (an accept loop, a nested run in another namespace) never starves the others.
 */
public final class NamespaceThreads {
    private static final System.Logger LOG = System.getLogger(NamespaceThreads.class.getName());

    /** Set by a task that could not return home: its worker must not take another task. */
    private static final ThreadLocal<String> STRANDED = new ThreadLocal<>();

    private final int homeFd;
    private final ThreadPoolExecutor pool;

    /** @param homeFd an nsfs fd on the namespace workers return to after every task (never closed here) */
    public NamespaceThreads(int homeFd) {
        this.homeFd = homeFd;
        Thread.Builder.OfPlatform builder = Thread.ofPlatform().daemon().name("pier-netns-", 0)
                .uncaughtExceptionHandler((thread, e) ->
                        LOG.log(System.Logger.Level.WARNING, thread.getName() + " discarded: " + e.getMessage()));
        this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), builder.factory()) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                String where = STRANDED.get();
                // Throwing here ends this worker; the pool starts a fresh one on demand.
                if (where != null) throw new IllegalStateException("could not return from netns " + where);
            }
        };
    }

    /**
     * Runs {@code task} on a worker after {@code enter} has moved the worker into the target
     * namespace. Whatever the task throws reaches the caller unchanged, checked or not.
     */
    public <T> T call(Runnable enter, Callable<T> task, String namespaceName) {
        Future<T> future = pool.submit(() -> {
            enter.run(); // setns either succeeds or leaves the worker where it was: home
            try {
                return task.call();
            } finally {
                goHome(namespaceName);
            }
        });
        try {
            return await(future, namespaceName);
        } catch (ExecutionException e) {
            throw sneaky(e.getCause());
        }
    }

    private void goHome(String namespaceName) {
        try {
            Libc.setns(homeFd, Libc.CLONE_NEWNET, "home netns");
        } catch (RuntimeException e) {
            STRANDED.set(namespaceName);
        }
    }

    private static <T> T await(Future<T> future, String namespaceName) throws ExecutionException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            // The caller gave up: interrupt the task too (it may be blocked), keep the caller's interrupt.
            future.cancel(true);
            Thread.currentThread().interrupt();
            CancellationException c = new CancellationException("interrupted while waiting for a task in netns " + namespaceName);
            c.initCause(e);
            throw c;
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
