"""Keyless page-number pagination over a ``select()``, one COUNT and one page query."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import Select, func, select

from .db import session


@dataclass
class Page:
    items: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(statement: Select, page: int = 1, per_page: int = 50, *, scalars: bool = True,
             counted: Select | None = None) -> Page:
    """``counted``: the same rows as ``statement`` in a form the database counts faster."""
    page = max(1, page)
    total = session.execute(
        select(func.count()).select_from((counted if counted is not None else statement)
                                         .order_by(None).subquery())
    ).scalar_one()
    paged = statement.limit(per_page).offset((page - 1) * per_page)
    result = session.execute(paged)
    items = result.scalars().all() if scalars else result.all()
    return Page(items=items, page=page, per_page=per_page, total=total)
