package dev.pier.image;

import java.util.regex.Pattern;

/**
 * Image references ("busybox", "busybox:1.36", "docker.io/library/busybox:latest",
 * "localhost:5000/team/app:v2") in Docker's familiar form: the docker.io domain and its
 * "library/" prefix dropped, the tag made explicit (":latest" when absent).
 */
public final class ImageRef {
    private ImageRef() {}

    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN = Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final int MAX_NAME = 255;

    /**
     * The familiar "repo:tag" form of ref.
     *
     * @throws ImageException (INVALID) naming what is wrong with ref
     */
    public static String normalize(String ref) {
        if (ref == null || ref.isBlank()) throw new ImageException("invalid reference format: empty image reference");
        if (ref.indexOf('@') >= 0) {
            throw new ImageException("invalid reference format: digest references are not supported (there is no registry): " + ref);
        }
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        String name = ref, tag = "latest";
        if (colon > slash) {
            name = ref.substring(0, colon);
            tag = ref.substring(colon + 1);
        }
        if (!TAG.matcher(tag).matches()) throw new ImageException("invalid reference format: bad tag \"" + tag + "\" in " + ref);
        if (name.length() > MAX_NAME) throw new ImageException("invalid reference format: repository name longer than 255 characters");
        String[] parts = name.split("/", -1);
        int first = 0;
        String domain = null;
        if (parts.length > 1 && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost"))) {
            domain = parts[0];
            if (!DOMAIN.matcher(domain).matches()) throw new ImageException("invalid reference format: bad registry \"" + domain + "\" in " + ref);
            first = 1;
        }
        for (int i = first; i < parts.length; i++) {
            if (!PATH_COMPONENT.matcher(parts[i]).matches()) {
                if (!parts[i].equals(parts[i].toLowerCase(java.util.Locale.ROOT))) {
                    throw new ImageException("invalid reference format: repository name must be lowercase: " + ref);
                }
                throw new ImageException("invalid reference format: " + ref);
            }
        }
        StringBuilder path = new StringBuilder();
        for (int i = first; i < parts.length; i++) {
            if (!path.isEmpty()) path.append('/');
            path.append(parts[i]);
        }
        String repo = path.toString();
        if (domain == null || domain.equals("docker.io") || domain.equals("index.docker.io")) {
            if (repo.startsWith("library/") && repo.indexOf('/', "library/".length()) < 0) {
                repo = repo.substring("library/".length());
            }
        } else {
            repo = domain + "/" + repo;
        }
        return repo + ":" + tag;
    }

    /** True when ref is a well-formed reference. */
    public static boolean isValid(String ref) {
        try {
            normalize(ref);
            return true;
        } catch (ImageException e) {
            return false;
        }
    }
}
