"""Pieces every CareBridge feature shares: database base, clock, host adapter, commit boundary."""
