"""The scheduled jobs of the mounted features. ``carebridge scheduler`` runs exactly these.

Features declare their jobs in their :class:`~plugin.core.features.Feature` and keep the job
functions in their own ``jobs.py``; this module turns the declarations into the runner's job
definitions. Cron fields are in the company's time zone.
"""
from __future__ import annotations

from collections.abc import Iterable

from .core.features import Feature
from .scheduling.runner import JobDefinition


def scheduled_jobs(features: Iterable[Feature]) -> list[JobDefinition]:
    """One definition per declared job; two jobs with the same id are a declaration error."""
    jobs: list[JobDefinition] = []
    seen: set[str] = set()
    for feature in features:
        for job in feature.jobs:
            if job.id in seen:
                raise ValueError(f"two scheduled jobs are called {job.id!r}")
            seen.add(job.id)
            jobs.append(JobDefinition(id=job.id, func=feature.load(job.func), trigger=job.trigger,
                                      trigger_args=dict(job.trigger_args)))
    return jobs


def default_jobs() -> list[JobDefinition]:
    """The jobs of the default feature list (:data:`plugin.features.DEFAULT_FEATURES`)."""
    from .features import load_features

    return scheduled_jobs(load_features())
