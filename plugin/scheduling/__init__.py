"""Running scheduled jobs: one scheduler process per deployment, guarded by a database lease."""
