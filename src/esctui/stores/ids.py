"""The ids esctui's own stores give incidents: `INC-1042`. To everything above the stores an
id is opaque text (another backend's look nothing like these); only the stores that mint them
read the number inside.
"""

from __future__ import annotations


def incident_number(incident_id: str) -> int:
    """The number in `INC-1042`; ids sort by it."""
    return int(incident_id.rpartition("-")[2])


def format_incident_id(number: int) -> str:
    return f"INC-{number}"
