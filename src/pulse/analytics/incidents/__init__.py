"""Read-back of incidents from every source, as the incident rules define them."""
