package dev.pier.ipam;

import java.util.List;

/**
 * The addresses a {@link SubnetAllocator} has handed out, in ascending order, as plain text so the store
 * can persist it as is. Gateway, aux, network and broadcast addresses are not listed: they follow from the
 * {@link IpamConfig}.
 */
public record AllocationSnapshot(List<String> allocated) {

    public AllocationSnapshot {
        allocated = allocated == null ? List.of() : List.copyOf(allocated);
    }
}
