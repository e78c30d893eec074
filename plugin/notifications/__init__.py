"""Notifications: in-app (the bell) and any channel an integration registers (SMS, WeCom…)."""
