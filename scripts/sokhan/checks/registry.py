"""Entity registry checks: schema, unique ids, group members."""

from __future__ import annotations

from sokhan.checks.incidents import Incident
from sokhan.checks.schemas import schema_incidents
from sokhan.checks.unicode import string_incidents
from sokhan.records import Entity


class UnusableRegistry(dict):
    """The entities of a registry that failed to load: none, and none can be checked.

    Annotation checks skip every registry lookup against it, so one broken
    registry is one incident, not one ``unknown-entity`` per mention.
    """


def check_registry(registry, path: str) -> tuple[dict[str, Entity], list[Incident]]:
    """Schema-check the entity registry and build its entities by id.

    ``registry`` is None when the file could not be parsed (already reported).
    """
    if registry is None:
        return UnusableRegistry(), []
    incidents = (schema_incidents(registry, "registry", path, "registry-schema")
                 or string_incidents(registry, path))
    if incidents:
        return UnusableRegistry(), incidents
    entities: dict[str, Entity] = {}
    first: dict[str, int] = {}
    for k, e in enumerate(registry["entities"]):
        if e["id"] in entities:
            incidents.append(Incident(path, f"/entities/{k}/id", "duplicate-id",
                                      f"{e['id']!r} is also /entities/{first[e['id']]}; "
                                      "expected unique ids"))
            continue  # the first entry wins, so the messages below describe it
        first[e["id"]] = k
        entities[e["id"]] = Entity(e["id"], e["type"], e["name_fa"], e["name_en"],
                                   tuple(e["aliases"]), e["is_group"], tuple(e["members"]))
    for k, e in enumerate(registry["entities"]):
        for j, member in enumerate(e["members"]):
            if member not in entities:
                incidents.append(Incident(path, f"/entities/{k}/members/{j}", "registry-member",
                                          f"{member!r} is not in the registry"))
    return entities, incidents


def check_pass_registry(registry: dict, path: str) -> list[Incident]:
    """Schema and string checks of one annotation pass's own registry.

    Passes are kept as the annotators left them, so their registries are only
    checked for shape: the agreement report maps their ids to the gold registry.
    """
    return (schema_incidents(registry, "registry", path, "registry-schema")
            or string_incidents(registry, path))
