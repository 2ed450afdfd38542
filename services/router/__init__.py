"""Router: decide what kind of case it is, and route it."""
