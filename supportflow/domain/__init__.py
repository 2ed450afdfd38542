"""Domains: everything about one product in one folder, loaded and validated at start."""

from .loader import BUILTIN_CHECKS, Domain, load_domain
from .yamlfile import DomainError

__all__ = ["BUILTIN_CHECKS", "Domain", "DomainError", "load_domain"]
