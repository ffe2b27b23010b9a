package dev.pier.engine;

import java.util.List;

/**
 * The daemon's {@code dns}, {@code dns-search} and {@code dns-opts}: each applies to a container
 * that sets none of its own (each on its own, as in Docker); the container's record keeps what it asked.
 */
public record DnsDefaults(List<String> servers, List<String> search, List<String> options) {
    public static final DnsDefaults NONE = new DnsDefaults(List.of(), List.of(), List.of());

    public DnsDefaults {
        servers = List.copyOf(servers);
        search = List.copyOf(search);
        options = List.copyOf(options);
    }

    List<String> servers(ContainerRecord.Settings s) {
        return s.dns().isEmpty() ? servers : s.dns();
    }

    List<String> search(ContainerRecord.Settings s) {
        return s.dnsSearch().isEmpty() ? search : s.dnsSearch();
    }

    List<String> options(ContainerRecord.Settings s) {
        return s.dnsOptions().isEmpty() ? options : s.dnsOptions();
    }
}
