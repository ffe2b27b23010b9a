package dev.pier.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Machine-wide CPU time versus this process's own (with its reaped children, the ip runs), from
 * /proc: how much of the machine other work took while a size was measured. The cores are shared,
 * so a figure taken under load says so next to it.
 */
record CpuShare(long total, long idle, long self) {
    static CpuShare now() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < cpu.length && i <= 8; i++) total += Long.parseLong(cpu[i]); // user..steal
            long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the parenthesised command name: utime, stime, cutime, cstime are the 12th-15th.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long self = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return new CpuShare(total, idle, self);
        } catch (IOException | RuntimeException e) {
            return new CpuShare(-1, -1, -1);
        }
    }

    /**
     * CPU time in nanoseconds: {@code work} is this process's threads plus its reaped children (the
     * ip runs, which /proc only counts in 10 ms ticks); {@code runtime} is the JVM's own threads (JIT
     * compilers, GC, VM thread), kept apart because they fade once a daemon is warm. Kernel work done
     * in a syscall counts for the caller, so {@code work} is what a method costs the machine,
     * whatever else runs meanwhile.
     */
    record CpuTime(long work, long runtime) {
        CpuTime minus(CpuTime earlier) {
            return new CpuTime(work - earlier.work, runtime - earlier.runtime);
        }
    }

    /** Live threads from each task's schedstat (nanosecond precise), children from /proc/self/stat; -1s if unreadable. */
    static CpuTime processCpu() {
        long work = 0, runtime = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    long nanos = Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]);
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (isJvmRuntimeThread(name)) runtime += nanos;
                    else work += nanos;
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long childTicks = Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return new CpuTime(work + childTicks * 10_000_000L, runtime);
        } catch (IOException | RuntimeException e) {
            return new CpuTime(-1, -1);
        }
    }

    private static boolean isJvmRuntimeThread(String name) {
        return name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") || name.startsWith("GC ")
                || name.startsWith("G1 ") || name.startsWith("VM ");
    }

    /** Percent of all cores busy with anything but this process and its children, -1 if unknown; kernel threads count as others, including the namespace cleanup this benchmark causes. */
    double othersPercentSince(CpuShare start) {
        if (total < 0 || start.total < 0 || total == start.total) return -1;
        long busy = (total - start.total) - (idle - start.idle);
        long others = Math.max(0, busy - (self - start.self));
        return 100.0 * others / (total - start.total);
    }
}
