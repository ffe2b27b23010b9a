package dev.pier.engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The undo of every step done so far; run in reverse when a later step fails. */
final class Undo {
    private static final Logger LOG = Logger.getLogger(Undo.class.getName());
    private final Deque<Runnable> steps = new ArrayDeque<>();

    void push(Runnable undo) {
        steps.push(undo);
    }

    void run() {
        while (!steps.isEmpty()) {
            try {
                steps.pop().run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "undo step failed", e);
            }
        }
    }

    void forget() {
        steps.clear();
    }
}
