package dev.pier.runtime;

import dev.pier.image.FileTrees;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container user resolved the way Docker does, against the container's own /etc/passwd and
 * /etc/group: "name" or "uid", optionally ":group" or ":gid"; supplementary groups are the
 * groups that list the user by name.
 */
record ContainerUser(int uid, int gid, List<Integer> additionalGids, String home) {

    static ContainerUser root() {
        return new ContainerUser(0, 0, List.of(), "/root");
    }

    /** Resolves user ("" or null = root) inside rootfs; unknown names are an IllegalArgumentException. */
    static ContainerUser resolve(Path rootfs, String user) throws IOException {
        if (user == null || user.isBlank()) user = "0";
        String userPart = user, groupPart = null;
        int colon = user.indexOf(':');
        if (colon >= 0) {
            userPart = user.substring(0, colon);
            groupPart = user.substring(colon + 1);
        }
        List<String[]> passwd = read(rootfs, "/etc/passwd");
        List<String[]> groups = read(rootfs, "/etc/group");

        Integer uid = number(userPart);
        String name = null;
        Integer gid = null;
        String home = "/";
        for (String[] p : passwd) {
            if (p.length < 4) continue;
            boolean match = uid != null ? String.valueOf(uid).equals(p[2]) : p[0].equals(userPart);
            if (match) {
                name = p[0];
                uid = number(p[2]);
                gid = number(p[3]);
                if (p.length > 5 && !p[5].isEmpty()) home = p[5];
                break;
            }
        }
        if (uid == null) throw new IllegalArgumentException("unable to find user " + userPart + ": no matching entries in passwd file");
        if (gid == null) gid = 0;
        if (uid == 0 && home.equals("/")) home = "/root";

        if (groupPart != null && !groupPart.isEmpty()) {
            Integer g = number(groupPart);
            if (g == null) {
                for (String[] gr : groups) {
                    if (gr.length >= 3 && gr[0].equals(groupPart)) {
                        g = number(gr[2]);
                        break;
                    }
                }
                if (g == null) throw new IllegalArgumentException("unable to find group " + groupPart + ": no matching entries in group file");
            }
            gid = g;
        }
        List<Integer> extra = new ArrayList<>();
        if (name != null) {
            for (String[] gr : groups) {
                if (gr.length < 4 || gr[3].isEmpty()) continue;
                for (String member : gr[3].split(",")) {
                    Integer g = number(gr[2]);
                    if (member.trim().equals(name) && g != null && !g.equals(gid) && !extra.contains(g)) extra.add(g);
                }
            }
        }
        return new ContainerUser(uid, gid, List.copyOf(extra), home);
    }

    private static Integer number(String s) {
        if (s == null || s.isEmpty() || s.length() > 10) return null;
        for (int i = 0; i < s.length(); i++) if (!Character.isDigit(s.charAt(i))) return null;
        long v = Long.parseLong(s);
        return v > Integer.MAX_VALUE ? null : (int) v;
    }

    /** The colon-separated lines of a file inside rootfs, symlinks resolved within rootfs; empty when absent. */
    private static List<String[]> read(Path rootfs, String file) throws IOException {
        Path p = FileTrees.resolveInRoot(rootfs, file);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return List.of();
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            out.add(line.split(":", -1));
        }
        return out;
    }
}
