package dev.pier.linux;

/** An address assigned to an interface. */
public record Address(int ifindex, IpPrefix prefix, int scope, int flags) {}
