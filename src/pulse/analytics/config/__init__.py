"""Per-tenant metrics configuration: flow steps, mappings, hierarchy, teams, deployment and incident rules."""
