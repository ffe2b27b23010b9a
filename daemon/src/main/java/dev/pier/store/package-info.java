/**
 * The local embedded store: one durable JSON file per object, everything held in memory
 * ({@link dev.pier.store.Store}). Depends on Jackson only.
 */
package dev.pier.store;
