"""Speed: query counts that must not grow with a user's data, and derived flags kept exact."""
