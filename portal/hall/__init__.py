"""The service hall (网上办事大厅 home page): services from every Area by audience and theme, their guides, the
search, 通知公告 and the bureau's emblem."""
