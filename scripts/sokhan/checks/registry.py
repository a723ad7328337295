"""Entity registry checks: schema, unique ids, group members; then the typed registry."""

from __future__ import annotations

from sokhan.checks.incidents import Incident
from sokhan.checks.schemas import schema_incidents
from sokhan.checks.unicode import string_incidents
from sokhan.records import Entity, Registry


def parse_entity(e: dict) -> Entity:
    """One schema-valid registry entry as an :class:`~sokhan.records.Entity`."""
    return Entity(e["id"], e["type"], e["name_fa"], e["name_en"], tuple(e["aliases"]),
                  e["is_group"], tuple(e["members"]))


def check_registry(value: object, path: str) -> tuple[Registry | None, list[Incident]]:
    """Schema-check the entity registry, parse it, and check its ids and members.

    Args:
        value: the parsed JSON, or None when the file could not be parsed (already reported).
        path: the file as shown in messages.

    Returns:
        The registry (None when it is unusable: annotation checks then skip every
        registry lookup, so one broken registry is one incident, not one per
        mention) and its incidents.
    """
    if value is None:
        return None, []
    incidents = (schema_incidents(value, "registry", path, "registry-schema")
                 or string_incidents(value, path))
    if incidents:
        return None, incidents
    assert isinstance(value, dict)  # the schema says so
    registry = Registry(tuple(parse_entity(e) for e in value["entities"]))
    first: dict[str, int] = {}
    for k, e in enumerate(registry.entities):
        if e.id in first:
            incidents.append(Incident(path, f"/entities/{k}/id", "duplicate-id",
                                      f"{e.id!r} is also /entities/{first[e.id]}; "
                                      "expected unique ids"))
        first.setdefault(e.id, k)  # the first entry wins, so the messages below describe it
    known = registry.by_id()
    for k, e in enumerate(registry.entities):
        for j, member in enumerate(e.members):
            if member not in known:
                incidents.append(Incident(path, f"/entities/{k}/members/{j}", "registry-member",
                                          f"{member!r} is not in the registry"))
    return registry, incidents
