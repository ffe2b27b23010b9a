package dev.pier.runtime;

/**
 * What an OCI runtime says of itself ({@code runc --version}): `docker info` prints the commit as
 * "runc version". Empty strings when the runtime is missing or says nothing.
 */
public record RuntimeVersion(String name, String path, String version, String commit) {

    /** Parses the lines {@code runc version 1.1.5}, {@code commit: abc} of {@code --version}'s output. */
    static RuntimeVersion parse(String name, String path, String output) {
        String version = "", commit = "";
        for (String line : output.split("\n")) {
            String l = line.strip();
            if (l.startsWith(name + " version ")) version = l.substring(name.length() + " version ".length()).strip();
            else if (l.startsWith("commit:")) commit = l.substring("commit:".length()).strip();
        }
        return new RuntimeVersion(name, path, version, commit.isEmpty() ? version : commit);
    }
}
