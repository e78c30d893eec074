"""API tokens: how an HR system is let in, and what a token may read and write.

An administrator issues a token per integration, scoped to an organisation subtree and to
reading or reading and writing. Only a SHA-256 hash of the secret is kept; the secret is shown
once. :mod:`.records` holds the rules an API adapter (``integrations.hr_api``) applies to the
records a token sends and asks for.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.features import Feature, Link
from .permissions import API_TOKENS_MANAGE

feature = Feature(
    name="api_tokens",
    package=__name__,
    demo="demo:load",
    blueprints=("views:bp",),
    models=("models",),
    permissions={API_TOKENS_MANAGE: ()},
    links={"navigation": (
        Link("carebridge.api_tokens.index", _l("API 令牌"), API_TOKENS_MANAGE, order=100),)},
    audit_text="audit_text:AUDIT_TEXT",
    audit_actions={
        "api_token.issued": _l("签发 API 令牌"),
        "api_token.revoked": _l("撤销 API 令牌"),
    },
)
