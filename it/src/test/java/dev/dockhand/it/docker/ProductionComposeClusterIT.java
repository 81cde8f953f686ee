package dev.dockhand.it.docker;

/**
 * {@link ClusterIT}'s scenarios on the compose-production example (secured, one service per role), in
 * the same failsafe run as the others: every compose example is exercised.
 */
class ProductionComposeClusterIT extends ClusterIT {}
