/**
 * The daemon's settings from flags and daemon.json ({@link dev.pier.config.DaemonConfig}), named and
 * checked as dockerd names and checks them. Uses {@link dev.pier.ipam} to validate addresses.
 */
package dev.pier.config;
