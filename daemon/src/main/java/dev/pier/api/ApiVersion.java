package dev.pier.api;

/**
 * An Engine API version such as {@code 1.41}, as found in a {@code /v1.41/...} path prefix.
 *
 * <p>{@link #MAX} is what the server announces in {@code Api-Version}. Clients negotiate down to it:
 * the docker CLI 28 (its own max 1.50) then sends {@code /v1.47/...}, the 20.10 CLI keeps its 1.41, and
 * docker-java sends no prefix at all (the request is served as {@link #MAX}).
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {

    public static final ApiVersion MAX = new ApiVersion(1, 47);
    /** Docker's own floor: older clients get a 400 telling them to upgrade. */
    public static final ApiVersion MIN = new ApiVersion(1, 24);

    public ApiVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("API version parts must not be negative: " + major + "." + minor);
        }
    }

    /** Parses {@code "1.41"}; a bare {@code "1"} is 1.0. */
    public static ApiVersion parse(String text) {
        int dot = text.indexOf('.');
        String majorText = dot < 0 ? text : text.substring(0, dot);
        String minorText = dot < 0 ? "0" : text.substring(dot + 1);
        if (!isDigits(majorText) || !isDigits(minorText)) {
            throw new IllegalArgumentException("not an API version (expected e.g. 1.41): \"" + text + "\"");
        }
        try {
            return new ApiVersion(Integer.parseInt(majorText), Integer.parseInt(minorText));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an API version (expected e.g. 1.41): \"" + text + "\"");
        }
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    public boolean isAtLeast(ApiVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(ApiVersion other) {
        int byMajor = Integer.compare(major, other.major);
        return byMajor != 0 ? byMajor : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
