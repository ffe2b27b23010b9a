package dev.pier.engine;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Container names: Docker's rule for given names, and Docker-style generated ones. */
final class Names {
    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final String[] LEFT = {"admiring", "brave", "calm", "clever", "eager", "elegant", "focused", "gallant",
            "happy", "jolly", "keen", "loving", "modest", "nifty", "quirky", "serene", "stoic", "tender", "vibrant", "zealous"};
    private static final String[] RIGHT = {"babbage", "curie", "dijkstra", "euler", "fermat", "gauss", "hopper", "kare",
            "knuth", "lamport", "liskov", "lovelace", "noether", "pike", "ritchie", "shannon", "thompson", "turing", "wirth", "yalow"};

    private Names() {}

    /** Strips Docker's leading '/' and checks the characters; the message is Docker's. */
    static String validate(String name) {
        String n = name.startsWith("/") ? name.substring(1) : name;
        if (!VALID.matcher(n).matches())
            throw EngineException.invalid("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        return n;
    }

    static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return LEFT[r.nextInt(LEFT.length)] + "_" + RIGHT[r.nextInt(RIGHT.length)];
    }

    /**
     * A generated name not taken yet, as Docker picks one: a few plain tries, then with a number
     * appended, and in the end the id's first 12 characters, which are always free. Never loops
     * for ever, however many containers there are.
     */
    static String generateFree(String id, java.util.function.Predicate<String> taken) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 8; attempt++) {
            String name = attempt < 3 ? generate() : generate() + r.nextInt(1000);
            if (!taken.test(name)) return name;
        }
        return id.substring(0, 12);
    }
}
