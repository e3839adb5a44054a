"""Pull request analytics: cycle time by stage, throughput, size, review depth and rework."""
