"""Marking text for translation where it cannot be translated yet."""


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction only. The text is stored (a notification, a job's message)
    and translated where it is shown, in the reader's language."""
    return msgid
