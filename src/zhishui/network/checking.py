"""Running the network check on a registered network and rendering its findings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhishui.core.i18n import t
from zhishui.network.check import CheckLink, CheckNode, Finding, check_network, summarize
from zhishui.network.models import Link, Node
from zhishui.network.service import get_network
from zhishui.org.scope import Actor

__all__ = ["check_registered", "describe", "finding_json", "summarize"]


def check_registered(session: Session, name: str, actor: Actor) -> list[Finding]:
    network = get_network(session, name, actor)
    nodes = [
        CheckNode(
            row.id,
            row.external_id,
            row.kind,
            row.geom.x if row.geom is not None else None,
            row.geom.y if row.geom is not None else None,
            row.invert_elev,
            row.ground_elev,
        )
        for row in session.execute(
            select(
                Node.id, Node.external_id, Node.kind, Node.geom, Node.invert_elev, Node.ground_elev
            ).where(Node.network_id == network.id)
        )
    ]
    links = [
        CheckLink(
            row.id,
            row.from_node_id,
            row.to_node_id,
            row.external_id,
            row.kind,
            row.diameter,
            row.length,
            row.up_invert,
            row.down_invert,
            bool((row.attrs or {}).get("pressurized", False)),
        )
        for row in session.execute(
            select(
                Link.id,
                Link.from_node_id,
                Link.to_node_id,
                Link.external_id,
                Link.kind,
                Link.diameter,
                Link.length,
                Link.up_invert,
                Link.down_invert,
                Link.attrs,
            ).where(Link.network_id == network.id)
        )
    ]
    return check_network(nodes, links, network.kind)


def describe(finding: Finding, lang: str = "en") -> str:
    return t(finding.message_key, lang, **finding.params)


def finding_json(finding: Finding, lang: str = "zh") -> dict[str, Any]:
    return {**finding.to_dict(), "message": describe(finding, lang)}
