/**
 * IP address management: subnets ({@link dev.pier.ipam.Subnet}), the pools a network's subnet is chosen
 * from ({@link dev.pier.ipam.AddressPools}) and the per-subnet address allocator
 * ({@link dev.pier.ipam.SubnetAllocator}). Pure Java, no kernel, no other Pier package; errors are
 * {@link dev.pier.ipam.IpamException} in Docker's words.
 */
package dev.pier.ipam;
