"""The routing table of the domain YAML: decision class → route, with per-cause overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from supportflow.domain import Domain
from supportflow.events import DECISION_CLASSES, Route


@dataclass(frozen=True)
class RoutingTable:
    classes: Mapping[str, Route]
    causes: Mapping[str, Route]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RoutingTable:
        """From the domain YAML mapping (whole file or its `routing:` section); every class needs a route."""
        section: Mapping[str, Any] = config.get("routing", config)
        classes = {str(k): Route.model_validate(v) for k, v in (section.get("classes") or {}).items()}
        missing = [c for c in DECISION_CLASSES if c not in classes]
        if missing:
            raise ValueError(f"routing table has no route for classes {missing}")
        causes = {str(k): Route.model_validate(v) for k, v in (section.get("causes") or {}).items()}
        return cls(classes=classes, causes=causes)

    def route_for(self, decision_class: str, cause: str | None) -> Route:
        """The cause's override when there is one, else the class default."""
        if cause and cause in self.causes:
            return self.causes[cause].model_copy()
        return self.classes[decision_class].model_copy()


def load_routing(domain: Domain) -> RoutingTable:
    """The routing table of a loaded domain."""
    return RoutingTable.from_config(domain.routing.model_dump())
