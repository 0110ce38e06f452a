"""Demo 增减员 (filled in below)."""


async def load() -> None:
    return None
