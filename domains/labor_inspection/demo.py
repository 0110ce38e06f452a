"""Demo 网上书审 rows: added with the written-review tests' journey (see docs/domains/labor_inspection.md)."""


async def load() -> None:
    return None
