"""Permissions of API tokens."""
from ..core.roles import Permission

API_TOKENS_MANAGE = Permission("api_tokens.manage")
