package dev.pier.runtime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RuntimeVersionTest {
    @Test
    void readsRuncsVersionAndCommit() {
        RuntimeVersion v = RuntimeVersion.parse("runc", "/usr/sbin/runc",
                "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\n");
        assertThat(v).isEqualTo(new RuntimeVersion("runc", "/usr/sbin/runc", "1.1.5+ds1", "1.1.5+ds1-1+deb12u1"));
    }

    @Test
    void withoutACommitLineTheVersionStandsForIt() {
        RuntimeVersion v = RuntimeVersion.parse("crun", "/usr/bin/crun", "crun version 1.8.1\nrundir: /run/crun\n");
        assertThat(v.commit()).isEqualTo("1.8.1");
        assertThat(RuntimeVersion.parse("runc", "/x", "garbage").commit()).isEmpty();
    }
}
