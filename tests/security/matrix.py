"""Reading the access matrix and walking the project's URL patterns."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.urls import URLPattern, URLResolver, get_resolver

MATRIX_FILE = Path(__file__).resolve().parents[2] / "mosovo" / "access_matrix.yaml"
ROLES = ["OFFICER", "SERGEANT", "INSPECTOR", "ADMIN", "AUDITOR"]
PRINCIPALS = [*ROLES, "UNVERIFIED", "ANONYMOUS", "DISABLED"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ALIASES = {
    "PUBLIC": PRINCIPALS,
    "CASEWORK": ["OFFICER", "SERGEANT", "INSPECTOR"],
    "VERIFIED": ROLES,
    "SIGNED_IN": [*ROLES, "UNVERIFIED"],
}


@dataclass(frozen=True)
class Rule:
    key: str
    scope: str
    allowed: dict[str, frozenset[str]]  # method -> principals
    unchecked: frozenset[str] = frozenset()

    def allows(self, principal: str, method: str) -> bool:
        return principal in self.allowed.get(method, frozenset())


@dataclass
class Route:
    """One URL pattern: its matrix key, and the keyword arguments it needs."""

    key: str
    name: str | None
    kwargs: list[str] = field(default_factory=list)


def load_matrix() -> dict[str, Rule]:
    raw: dict[str, dict[str, Any]] = yaml.safe_load(MATRIX_FILE.read_text())
    rules: dict[str, Rule] = {}
    for key, entry in raw.items():
        allowed: dict[str, frozenset[str]] = {}
        for method, principals in entry.items():
            if method in ("scope", "unchecked"):
                continue
            assert method in METHODS, f"{key}: unknown method {method}"
            expanded: set[str] = set()
            for principal in principals:
                if principal in ALIASES:
                    expanded.update(ALIASES[principal])
                else:
                    assert principal in PRINCIPALS, f"{key}: unknown principal {principal}"
                    expanded.add(principal)
            allowed[method] = frozenset(expanded)
        rules[key] = Rule(
            key=key,
            scope=entry.get("scope", "none"),
            allowed=allowed,
            unchecked=frozenset(entry.get("unchecked", [])),
        )
    return rules


def _walk(patterns: list[Any], namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            child = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            routes.extend(_walk(entry.url_patterns, child or ""))
        elif isinstance(entry, URLPattern):
            regex_names = list(entry.pattern.regex.groupindex)
            label = entry.name or f"<unnamed {entry.pattern}>"
            key = f"{namespace}:{label}" if namespace else label
            routes.append(Route(key=key, name=key if entry.name else None, kwargs=regex_names))
    return routes


def project_routes() -> list[Route]:
    """Return every URL pattern of the project, with its namespaced name."""
    return _walk(get_resolver().url_patterns)


def rule_for(rules: dict[str, Rule], key: str) -> Rule | None:
    if key in rules:
        return rules[key]
    for pattern, rule in rules.items():
        if "*" in pattern and fnmatch.fnmatchcase(key, pattern):
            return rule
    return None
