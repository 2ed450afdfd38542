"""Investigator: fetch the minimum evidence that confirms or rejects hypotheses."""

from .investigate import SimilarCase, investigate
from .playbooks import Playbook, Playbooks, load_playbooks
from .sources import QueryLog, Sources, build_sources, pack_sources

__all__ = [
    "Playbook",
    "Playbooks",
    "QueryLog",
    "SimilarCase",
    "Sources",
    "build_sources",
    "investigate",
    "load_playbooks",
    "pack_sources",
]
