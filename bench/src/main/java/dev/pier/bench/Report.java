package dev.pier.bench;

import dev.pier.bench.EndpointPlumbingBench.Options;
import dev.pier.bench.EndpointPlumbingBench.Phases;
import dev.pier.bench.EndpointPlumbingBench.Plumbing;
import dev.pier.bench.EndpointPlumbingBench.RoundResult;
import dev.pier.bench.EndpointPlumbingBench.Teardown;
import dev.pier.bench.EndpointPlumbingBench.TeardownResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Plain-text tables of the plumbing benchmark, one block per size, then the targets. */
final class Report {
    private static final String ROW = "%-44s %8s %10s %10s %10s %10s %10s %10s%n";
    /** Below this many endpoints the 10 ms ticks of the children's CPU time say nothing. */
    private static final int MIN_CPU_ENDPOINTS = 20;
    private static final String TEARDOWN_ROW = "%-44s %10s %14s  %s%n";

    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    void header(BenchKernel kernel, IpTool ip, Options options) {
        out.println("Pier endpoint plumbing benchmark");
        out.printf("date %s, kernel %s, %d cores, JDK %s, %s%n",
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), kernelRelease(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), ip.version());
        out.printf("sizes %s; bridge %s (%s), interface group 0x%x, namespaces in %s%n",
                options.sizes(), kernel.bridgeName(), BenchKernel.BRIDGE_ADDRESS, kernel.group(), kernel.namespaceDir());
        out.printf("endpoint = veth (mtu %d, master bridge, group, up) + peer eth0 born in its own namespace, eth0 up, address /16, default route (lo is the sandbox's, before the clock)%n",
                EndpointPlumbingBench.MTU);
        out.println("times are wall-clock per endpoint (System.nanoTime around one endpoint's plumbing); µs unless marked");
    }

    void warmUp(int endpoints, long coldFirst, Samples spawnFloor) {
        out.printf("%nwarm-up (untimed, as in a running daemon): %d endpoints through pier; the very first, cold, took %s µs%n",
                endpoints, us(coldFirst));
        out.printf("process floor: starting and reaping /bin/true from this JVM costs median %s µs, p90 %s µs (under every ip run)%n",
                us(spawnFloor.median()), us(spawnFloor.p90()));
    }

    /** Figures of one method over its rounds at one size: pooled samples, mean totals, CPU per endpoint. */
    private record Figures(int rounds, int endpoints, Samples perEndpoint, double meanTotalNanos, double cpuPerEndpoint,
                           double runtimePerEndpoint) {
        static Figures of(List<RoundResult> rs) {
            if (rs.isEmpty()) return null;
            int endpoints = rs.stream().mapToInt(RoundResult::size).sum();
            Samples samples = rs.getFirst().plumbed().perEndpoint() == null ? null
                    : Samples.pooled(rs.stream().map(r -> r.plumbed().perEndpoint()).toList());
            return new Figures(rs.size(), endpoints, samples,
                    rs.stream().mapToLong(r -> r.plumbed().totalNanos()).average().orElse(0),
                    (double) rs.stream().mapToLong(r -> r.plumbed().cpu().work()).sum() / endpoints,
                    (double) rs.stream().mapToLong(r -> r.plumbed().cpu().runtime()).sum() / endpoints);
        }

        /** Mean per endpoint from the totals (the only figure ip -batch has). */
        double meanPerEndpoint() {
            return meanTotalNanos * rounds / endpoints;
        }

        /** ip children are counted in 10 ms ticks: too coarse below MIN_CPU_ENDPOINTS endpoints. */
        String cpu() {
            return endpoints < MIN_CPU_ENDPOINTS ? "-" : us(cpuPerEndpoint);
        }
    }

    void size(int n, List<RoundResult> rounds, String ipPerStepNote, double othersPercent) {
        out.printf("%n=== N = %d endpoint%s %s%n", n, n == 1 ? "" : "s", "=".repeat(60));
        if (othersPercent >= 0) {
            out.printf("other work on the machine meanwhile: %.0f%% of all cores%s%n", othersPercent,
                    othersPercent > 10 ? " (shared machine: wall times below are inflated)" : "");
        }
        Samples creation = Samples.pooled(rounds.stream().map(RoundResult::namespaceCreation).toList());
        out.printf("namespace creation (NetNamespace.create, before the clock, %d namespaces over %d rounds): median %s µs, p90 %s µs, p99 %s µs per namespace%n",
                creation.count(), rounds.size(), us(creation.median()), us(creation.p90()), us(creation.p99()));
        Samples preparation = Samples.pooled(rounds.stream().map(RoundResult::sandboxPreparation).toList());
        out.printf("sandbox preparation (socket inside + lo up, as the engine's Sandbox does once per start, before the clock): median %s µs, p90 %s µs%n",
                us(preparation.median()), us(preparation.p90()));

        out.println();
        out.printf(ROW, "plumbing, per endpoint (µs)", "samples", "median", "p90", "p99", "mean", "total ms", "cpu mean");
        List<RoundResult> pierRounds = of(rounds, Plumbing.PIER);
        Figures pier = Figures.of(pierRounds);
        Figures perStep = Figures.of(of(rounds, Plumbing.IP_PER_STEP));
        Figures batch = Figures.of(of(rounds, Plumbing.IP_BATCH));
        row("pier (FFM), " + pier.rounds() + " rounds pooled", pier);
        for (Teardown kind : Teardown.values()) {
            List<RoundResult> before = pierRounds.stream().filter(r -> r.teardown().kind() == kind).toList();
            if (!before.isEmpty()) row("  rounds before " + shortName(kind) + " (" + before.size() + ")", Figures.of(before));
        }
        if (perStep == null) out.printf("%-44s %s%n", "ip per step", ipPerStepNote);
        else row("ip per step (7 processes per endpoint)", perStep);
        out.printf(ROW, "ip -batch (1 + N processes), " + batch.rounds() + " rounds", "-", "-", "-", "-",
                us(batch.meanPerEndpoint()), ms(batch.meanTotalNanos()), batch.cpu());
        out.println("(total ms: one round's, averaged over rounds. cpu mean: CPU time of this process and its ip children per endpoint,"
                + " kernel time in syscalls included, steadier than wall time when other work shares the cores;"
                + " ip children are counted in 10 ms ticks: '-' below " + MIN_CPU_ENDPOINTS + " endpoints)");
        out.printf("(not in cpu mean: the JVM's JIT compilers, GC and VM thread took %s µs per pier endpoint meanwhile: a warm daemon pays it once)%n",
                us(pier.runtimePerEndpoint()));

        out.println();
        if (perStep != null) {
            out.printf("pier vs ip per step: %s faster by median, %s by mean%s%n",
                    ratio(perStep.perEndpoint().median(), pier.perEndpoint().median()), ratio(perStep.perEndpoint().mean(), pier.perEndpoint().mean()),
                    perStep.endpoints() < MIN_CPU_ENDPOINTS ? "" : ", " + ratio(perStep.cpuPerEndpoint(), pier.cpuPerEndpoint()) + " less CPU");
        }
        out.printf("pier vs ip -batch:   %s faster per endpoint (mean; ip -batch is timed as a whole)%s%n",
                ratio(batch.meanPerEndpoint(), pier.perEndpoint().mean()),
                batch.endpoints() < MIN_CPU_ENDPOINTS ? "" : ", " + ratio(batch.cpuPerEndpoint(), pier.cpuPerEndpoint()) + " less CPU");

        Phases phases = Phases.pooled(pierRounds.stream().map(r -> r.plumbed().phases()).toList());
        out.println();
        out.println("where pier's time goes, per endpoint (median / p90 µs):");
        phase("host batch: veth with peer born in netns, no IPv6 link-local, up", phases.createVeth());
        phase("find eth0 (requireLink)", phases.findEth0());
        phase("in-netns batch (eth0: no IPv6 link-local, up, address, route)", phases.insideBatch());

        out.println();
        out.printf(TEARDOWN_ROW, "teardown (mean over rounds)", "total ms", "per endpoint µs", "notes");
        for (Teardown kind : Teardown.values()) {
            List<TeardownResult> ts = teardowns(rounds, kind);
            if (ts.isEmpty()) continue;
            double total = ts.stream().mapToLong(TeardownResult::totalNanos).average().orElse(0);
            String notes = ts.size() > 1 ? ts.size() + " rounds; " : "";
            if (kind == Teardown.PIER_NAMESPACES) {
                notes += "returns fast; the kernel cleans up asynchronously: host veth ends all gone after "
                        + ms(ts.stream().mapToLong(TeardownResult::linksGone).average().orElse(-1)) + " ms";
            } else if (ts.getFirst().perOperation() != null) {
                Samples each = Samples.pooled(ts.stream().map(TeardownResult::perOperation).toList());
                notes += "median " + us(each.median()) + " µs, p90 " + us(each.p90()) + " µs per delete";
            } else {
                notes += kind == Teardown.IP_BATCH ? "1 process" : "1 request";
            }
            out.printf(TEARDOWN_ROW, kind.label, ms(total), us(total / n), notes);
        }
        if (n > EndpointPlumbingBench.PER_VETH_TEARDOWN_MAX) {
            out.printf("(one-by-one veth deletes skipped above N=%d: the kernel waits on each unregister)%n", EndpointPlumbingBench.PER_VETH_TEARDOWN_MAX);
        }
        out.flush();
    }

    private void row(String label, Figures f) {
        Samples s = f.perEndpoint();
        out.printf(ROW, label, s.count(), us(s.median()), us(s.p90()), us(s.p99()), us(s.mean()), ms(f.meanTotalNanos()), f.cpu());
    }

    void targets(Map<Integer, List<RoundResult>> all) {
        out.printf("%n=== issue 2 targets %s%n", "=".repeat(60));
        String row = "%-8s %-22s %-32s %-44s%n";
        out.printf(row, "N", "pier median <= 1 ms", ">= 20x faster than ip per step", "teardown ms: group / netns (host ends gone) / per veth");
        for (var entry : all.entrySet()) {
            List<RoundResult> rounds = entry.getValue();
            Samples pier = Figures.of(of(rounds, Plumbing.PIER)).perEndpoint();
            String latency = us(pier.median()) + " µs " + (pier.median() <= 1_000_000 ? "PASS" : "FAIL");
            Figures perStep = Figures.of(of(rounds, Plumbing.IP_PER_STEP));
            String speedup = perStep == null ? "not measured" :
                    ratio(perStep.perEndpoint().median(), pier.median()) + " by median "
                            + ((double) perStep.perEndpoint().median() / pier.median() >= 20 ? "PASS" : "FAIL");
            out.printf(row, entry.getKey(), latency, speedup, ms(meanTeardown(rounds, Teardown.PIER_GROUP, false)) + " / "
                    + ms(meanTeardown(rounds, Teardown.PIER_NAMESPACES, false)) + " (" + ms(meanTeardown(rounds, Teardown.PIER_NAMESPACES, true)) + ") / "
                    + ms(meanTeardown(rounds, Teardown.PIER_PER_VETH, false)));
        }
        out.flush();
    }

    private static List<TeardownResult> teardowns(List<RoundResult> rounds, Teardown kind) {
        return rounds.stream().map(RoundResult::teardown).filter(Objects::nonNull).filter(t -> t.kind() == kind).toList();
    }

    private static double meanTeardown(List<RoundResult> rounds, Teardown kind, boolean linksGone) {
        return teardowns(rounds, kind).stream().mapToLong(t -> linksGone ? t.linksGone() : t.totalNanos()).average().orElse(-1);
    }

    private void phase(String label, Samples s) {
        out.printf("  %-60s %10s / %s%n", label, us(s.median()), us(s.p90()));
    }

    private static List<RoundResult> of(List<RoundResult> rounds, Plumbing plumbing) {
        return rounds.stream().filter(r -> r.plumbing() == plumbing).toList();
    }

    private static String shortName(Teardown kind) {
        return switch (kind) {
            case PIER_GROUP -> "group delete";
            case PIER_PER_VETH -> "per-veth delete";
            case PIER_NAMESPACES -> "netns delete";
            default -> kind.label;
        };
    }

    private static String ratio(double slow, double fast) {
        return fast <= 0 ? "-" : String.format("%.1fx", slow / fast);
    }

    static String us(double nanos) {
        if (nanos < 0) return "-";
        double us = nanos / 1e3;
        return us >= 100 ? String.format("%.0f", us) : String.format("%.1f", us);
    }

    static String ms(double nanos) {
        return nanos < 0 ? "-" : String.format("%.1f", nanos / 1e6);
    }

    private static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
