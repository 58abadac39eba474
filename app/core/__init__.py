"""Domain-neutral building blocks: database base, permissions, scoping, history, pagination."""
