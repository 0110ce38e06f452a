"""The platform shared by every domain."""
