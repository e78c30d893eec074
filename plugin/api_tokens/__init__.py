"""API tokens: how an HR system is let in, and what a token may read and write.

An administrator issues a token per integration, scoped to an organisation subtree and to
reading or reading and writing. Only a SHA-256 hash of the secret is kept; the secret is shown
once. :mod:`.records` holds the rules an API adapter (``integrations.hr_api``) applies to the
records a token sends and asks for.
"""
