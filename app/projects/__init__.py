"""Projects (招商项目): leads driven through every stage, contacts, follow-ups, duplicates."""
