"""Roles granted on organisation subtrees, and the one permission check every feature uses."""
