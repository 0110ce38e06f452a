"""Work injury (工伤, SPEC WI-1 … WI-3): 工伤快报, 快报确认 and its review, 工伤保险单位证明. See docs/domains/work_injury.md."""
