"""Durable execution (DBOS): the only room that imports the workflow library."""

from ghltt.jobs.runtime import DeadLetter, JobAdmin, JobRuntime

__all__ = ["DeadLetter", "JobAdmin", "JobRuntime"]
