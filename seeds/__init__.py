"""Reference data (字典, holidays) and the demo / scale data generators."""
