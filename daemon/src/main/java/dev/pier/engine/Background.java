package dev.pier.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** A step run on a virtual thread beside the caller's own work (a store write's fsync beside the kernel's). */
final class Background {
    private final CompletableFuture<Void> done;

    private Background(CompletableFuture<Void> done) {
        this.done = done;
    }

    static Background run(Runnable step) {
        return new Background(CompletableFuture.runAsync(step, task -> Thread.ofVirtual().start(task)));
    }

    /** Waits for the step; its failure is thrown here as it was. */
    void await() {
        try {
            done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** Waits for the step and, when it succeeded, undoes it with {@code undo}, best effort (the caller is failing already). */
    void awaitThen(Runnable undo) {
        try {
            done.join();
            undo.run();
        } catch (RuntimeException ignored) {
            // the step failed (nothing to undo) or the undo did: the caller's failure is the one to report
        }
    }
}
