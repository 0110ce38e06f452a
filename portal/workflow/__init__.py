"""办件 (matters), their timeline, materials, messages and evaluations."""
