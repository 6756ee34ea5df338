"""Durable execution (DBOS): the only room that imports the workflow library."""

from ghltt.jobs.intake import Accepted, IntakeOverloaded, IntakeWriter
from ghltt.jobs.runtime import DeadLetter, JobAdmin, JobRuntime

__all__ = ["Accepted", "DeadLetter", "IntakeOverloaded", "IntakeWriter", "JobAdmin", "JobRuntime"]
