"""`supportflow eval`: run a scenario pack through the real services and score every layer."""
